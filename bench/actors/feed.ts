import type { Dispatcher } from '../../src/actors/dispatcher'
import type { ValidInput } from '../../src/domain/inputs'
import type { MachineInput } from '../../src/domain/machine'

/** Parts the machines produce; their ideal cycle times are known, so OEE has performance. */
export const BENCH_PARTS: [partId: number, idealCycleSeconds: number][] = [
  [1, 40],
  [2, 45],
  [3, 50],
  [4, 55],
]

/** Production reports per machine, one every 50 s: they fill five one-minute OEE buckets. */
const REPORTS = 5
const REPORT_EVERY_MS = 50_000
const T0 = Date.UTC(2024, 0, 15, 6, 0, 0)

/**
 * What a machine sends in its first few minutes on shift: status running, a production report
 * every 50 s, and one telemetry message with five metrics. Built on demand, so no input stays
 * in the heap once its commit resolved.
 */
export function machineInputs(n: number): ValidInput[] {
  const machineId = `m-${String(n).padStart(6, '0')}`
  const start = T0 + (n % 997) * 13
  const inputs: { key: string; input: MachineInput }[] = [
    {
      key: 'status',
      input: { kind: 'status', state: 'running', at: start, reason: 'shift start' },
    },
  ]
  for (let r = 0; r < REPORTS; r++) {
    const order = 40_000 + n
    const [partId] = BENCH_PARTS[(n + r) % BENCH_PARTS.length] as [number, number]
    inputs.push({
      key: `p${r}`,
      input: {
        kind: 'production',
        report: {
          machineId,
          partId,
          order,
          producedAt: start + (r + 1) * REPORT_EVERY_MS,
          damaged: (n + r) % 17 === 0,
          var1: 20.5 + r,
          var2: `lot-${order}`,
          var3: null,
          var4: null,
          messageId: `${machineId}-p${r}`,
        },
      },
    })
  }
  const at = start + (REPORTS + 1) * REPORT_EVERY_MS
  inputs.push({
    key: 'telemetry',
    input: {
      kind: 'telemetry',
      at,
      metrics: {
        spindleRpm: 11_800 + (n % 400),
        temperatureC: 61.5 + (n % 7),
        vibrationMm: 0.42,
        powerKw: 17.3,
        coolantLpm: 8.1,
      },
    },
  })
  return inputs.map(({ key, input }) => ({
    entity: 'machine',
    entityKey: machineId,
    idempotencyKey: `${machineId}-${key}`,
    input,
  }))
}

/** Messages each machine gets from `machineInputs`. */
export const MESSAGES_PER_MACHINE = REPORTS + 2

/**
 * Feeds `machines` machines their inputs, `window` machines at a time (as a bounded source
 * would), and resolves once every input is committed and the part actors have caught up.
 */
export async function feedMachines(
  dispatcher: Dispatcher,
  machines: number,
  window = 500,
): Promise<void> {
  for (let first = 0; first < machines; first += window) {
    const last = Math.min(machines, first + window)
    const pending: Promise<unknown>[] = []
    for (let n = first; n < last; n++)
      for (const input of machineInputs(n)) pending.push(dispatcher.dispatch(input))
    await Promise.all(pending)
  }
  await partsCaughtUp(dispatcher)
}

/**
 * Machines tell part actors about each part without waiting for them, so thousands of those
 * messages can still sit in part actors' mailboxes (and in the heap) when the machines are
 * done. A part-info message queues behind them: once it is committed, they were all handled.
 */
async function partsCaughtUp(dispatcher: Dispatcher): Promise<void> {
  await Promise.all(
    BENCH_PARTS.map(([partId, seconds]) =>
      dispatcher.dispatch({
        entity: 'part',
        entityKey: String(partId),
        idempotencyKey: `part-${partId}-info`,
        input: {
          kind: 'part-info',
          defaultPrice: 12.5,
          timeToProduce: seconds,
          materials: [],
          at: T0,
        },
      }),
    ),
  )
}
