import { createHash } from 'node:crypto'
import type { LoggedEvent } from '../../../src/archive/archive-file'
import type { DomainEvent, PartProduced } from '../../../src/domain/events'

const at = (iso: string): number => Date.parse(iso)

/** The raw input of the dead letter: not UTF-8, with a NUL, so bytes must stay bytes. */
export const DEAD_LETTER_PAYLOAD = Buffer.from([
  0x7b, 0x22, 0x76, 0x22, 0x3a, 0xff, 0x00, 0xfe, 0x7d,
])

/** One event of every type, as the service writes them to the log (one partition's worth). */
export const ONE_OF_EACH: DomainEvent[] = [
  {
    eventId: '0190b6a0-1111-7000-8000-000000000001',
    type: 'PartProduced',
    key: 'm-7',
    sequence: 41,
    occurredAt: at('2023-12-10T06:00:00.125Z'),
    recordedAt: at('2023-12-10T06:00:00.250Z'),
    machineId: 'm-7',
    partId: 4,
    order: 1001,
    damaged: false,
    var1: 1.5,
    var2: 'blue',
    var3: null,
    var4: null,
    messageId: 'msg-0001',
    idealCycleSeconds: 30,
  },
  {
    eventId: '0190b6a0-1111-7000-8000-000000000002',
    type: 'MachineStateChanged',
    key: 'm-7',
    sequence: 42,
    occurredAt: at('2023-12-10T06:01:00.000Z'),
    recordedAt: at('2023-12-10T06:01:00.040Z'),
    machineId: 'm-7',
    state: 'down',
    previousState: 'running',
    reason: 'jam at station 3',
  },
  {
    eventId: '0190b6a0-1111-7000-8000-000000000003',
    type: 'MachineMetricsRecorded',
    key: 'm-7',
    sequence: 43,
    occurredAt: at('2023-12-10T06:01:05.000Z'),
    recordedAt: at('2023-12-10T06:01:05.010Z'),
    machineId: 'm-7',
    metrics: { temperature: 71.25, spindleRpm: 12000 },
  },
  {
    eventId: '0190b6a0-1111-7000-8000-000000000004',
    type: 'MachineAlertRaised',
    key: 'm-7',
    sequence: 44,
    occurredAt: at('2023-12-10T06:02:00.000Z'),
    recordedAt: at('2023-12-10T06:02:00.003Z'),
    machineId: 'm-7',
    alert: 'scrap-rate',
    detail: 'scrap rate 0.25 over 0.1 in the last 20 parts',
  },
  {
    eventId: '0190b6a0-1111-7000-8000-000000000005',
    type: 'MachineCountersReset',
    key: 'm-7',
    sequence: 45,
    occurredAt: at('2023-12-10T06:03:00.000Z'),
    recordedAt: at('2023-12-10T06:03:00.020Z'),
    machineId: 'm-7',
    producedBefore: 120,
    scrappedBefore: 3,
    requestedBy: null,
  },
  {
    eventId: '0190b6a0-1111-7000-8000-000000000006',
    type: 'PartInfoUpdated',
    key: '4',
    sequence: 2,
    occurredAt: at('2023-12-10T06:04:00.000Z'),
    recordedAt: at('2023-12-10T06:04:00.015Z'),
    partId: 4,
    defaultPrice: 12.5,
    timeToProduce: 30,
    materials: ['steel', 'paint'],
  },
  {
    eventId: '0190b6a0-1111-7000-8000-000000000007',
    type: 'MaterialPriceRecorded',
    key: 'steel',
    sequence: 9,
    occurredAt: at('2023-12-10T06:05:00.000Z'),
    recordedAt: at('2023-12-10T06:05:00.030Z'),
    materialId: 'steel',
    name: 'Steel, cold rolled',
    price: 2.75,
    date: at('2023-12-01T00:00:00.000Z'),
  },
  {
    eventId: '0190b6a0-1111-7000-8000-000000000008',
    type: 'DeadLetter',
    key: 'factory/machines/m-7/production',
    sequence: 17,
    occurredAt: at('2023-12-10T06:06:00.000Z'),
    recordedAt: at('2023-12-10T06:06:00.008Z'),
    source: 'factory/machines/m-7/production',
    payloadBase64: DEAD_LETTER_PAYLOAD.toString('base64'),
    reason: 'payload is not JSON',
    receivedAt: at('2023-12-10T06:06:00.000Z'),
    payloadSize: DEAD_LETTER_PAYLOAD.length,
    payloadSha256: createHash('sha256').update(DEAD_LETTER_PAYLOAD).digest('hex'),
    payloadTruncated: false,
  },
]

/** The partition ONE_OF_EACH falls in. */
export const DAY_PARTITION = {
  partition: 'event_log_20231210_0000',
  rangeFrom: at('2023-12-10T00:00:00.000Z'),
  rangeTo: at('2023-12-11T00:00:00.000Z'),
}

/** Events as log rows, from `firstPosition` on; every other one came from a keyed input. */
export function asLogged(events: DomainEvent[], firstPosition = 1): LoggedEvent[] {
  return events.map((event, i) => ({
    position: firstPosition + i,
    txId: String(70_000 + Math.floor(i / 2)),
    recordedAt: event.recordedAt,
    idempotencyKey: i % 2 === 0 ? `input-${firstPosition + i}` : null,
    event,
  }))
}

/** The `n`th part a machine made, for archives of many events. */
export function partProduced(n: number, start = DAY_PARTITION.rangeFrom): PartProduced {
  return {
    eventId: `0190b6a0-2222-7000-8000-${String(n).padStart(12, '0')}`,
    type: 'PartProduced',
    key: `m-${n % 10}`,
    sequence: Math.floor(n / 10) + 1,
    occurredAt: start + n,
    recordedAt: start + n + 5,
    machineId: `m-${n % 10}`,
    partId: n % 7,
    order: n,
    damaged: n % 13 === 0,
    var1: n % 3 === 0 ? null : n / 4,
    var2: null,
    var3: n % 5 === 0 ? 'rework' : null,
    var4: null,
    messageId: `msg-${n}`,
    idealCycleSeconds: null,
  }
}
