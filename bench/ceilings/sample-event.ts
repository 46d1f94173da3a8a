import type { PartProduced } from '../../src/domain/events'

/** The n-th of a run of realistic PartProduced events (100 machines, 4 parts). */
export function samplePartProduced(n: number, machineId = String(1 + (n % 100))): PartProduced {
  const occurredAt = 1_702_166_400_000 + n * 1000
  return {
    eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    type: 'PartProduced',
    key: machineId,
    sequence: 1 + Math.floor(n / 100),
    occurredAt,
    recordedAt: occurredAt + 40,
    machineId,
    partId: 1 + (n % 4),
    order: 1000 + n,
    damaged: n % 13 === 0,
    var1: n / 10,
    var2: `lot-${n}`,
    var3: null,
    var4: 3.25,
    messageId: `msg-${n}`,
    idealCycleSeconds: 12,
  }
}
