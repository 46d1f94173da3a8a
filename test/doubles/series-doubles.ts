import type { OutboxCursor } from '../../src/publish/outbox'
import type { CommittedSeriesEvent } from '../../src/series/committed-events'
import type { MachineClock, SeriesEvent, SeriesPlan } from '../../src/series/plan'
import type { Leadership, SeriesEventSource, SeriesSink } from '../../src/series/series-follower'

/** Where a follower starts on a log it has never rolled up. */
export const LOG_START: OutboxCursor = { txId: '0', position: 0 }

/** Orders cursors as the log does: by transaction id, then position. */
export function compareCursors(a: OutboxCursor, b: OutboxCursor): number {
  const tx = BigInt(a.txId) - BigInt(b.txId)
  return tx !== 0n ? (tx < 0n ? -1 : 1) : a.position - b.position
}

/** What happened to the doubles, in the order it happened (calls and their ends). */
export type SeriesTrace = string[]

/** The committed log in commit order, as an array; records each read in the trace. */
export class SeriesLogDouble implements SeriesEventSource {
  readonly events: CommittedSeriesEvent[] = []
  reads = 0

  constructor(private readonly trace: SeriesTrace = []) {}

  /** Appends events of `machineId`, each in a transaction of its own after the last. */
  commit(machineId: string, count: number, at = Date.now()): void {
    for (let i = 0; i < count; i++) {
      const n = this.events.length + 1
      const event: SeriesEvent = {
        type: 'MachineMetricsRecorded',
        machineId,
        at: at + i,
        metrics: { spindleTemp: n },
      }
      this.events.push({ cursor: { txId: String(100 + n), position: n }, event })
    }
  }

  next(after: OutboxCursor, limit: number): Promise<CommittedSeriesEvent[]> {
    this.reads += 1
    this.trace.push('next')
    return Promise.resolve(
      this.events.filter((e) => compareCursors(e.cursor, after) > 0).slice(0, limit),
    )
  }

  lag(after: OutboxCursor): Promise<number> {
    return Promise.resolve(this.events.filter((e) => compareCursors(e.cursor, after) > 0).length)
  }
}

/** One batch the sink took: where it went from and to, and how many readings it held. */
export type AppliedBatch = { from: OutboxCursor; to: OutboxCursor; readings: number }

/**
 * The rollup tables and cursor in memory. `failNext` makes the next applies throw (with the
 * error given, e.g. a fence), `hold` keeps the next apply waiting until released; the cursor
 * moves only with a batch that was applied, as in the one transaction of the real store.
 */
export class SeriesSinkDouble implements SeriesSink {
  readonly applied: AppliedBatch[] = []
  readonly attempts: { at: number; from: OutboxCursor }[] = []
  readonly clockReads: string[][] = []
  cursorReads = 0
  saved: OutboxCursor = LOG_START
  private failures: Error[] = []
  private held: { enter: () => void; released: Promise<void> } | undefined

  constructor(private readonly trace: SeriesTrace = []) {}

  failNext(...errors: Error[]): void {
    this.failures.push(...errors)
  }

  /** The next apply waits in the middle until `release`; `entered` resolves once it waits. */
  hold(): { entered: Promise<void>; release: () => void } {
    const entered = signal()
    const released = signal()
    this.held = { enter: entered.fire, released: released.fired }
    return { entered: entered.fired, release: released.fire }
  }

  cursor(): Promise<OutboxCursor> {
    this.cursorReads += 1
    return Promise.resolve(this.saved)
  }

  clocks(machineIds: readonly string[]): Promise<Map<string, MachineClock>> {
    this.clockReads.push([...machineIds])
    return Promise.resolve(new Map<string, MachineClock>())
  }

  async apply(plan: SeriesPlan, from: OutboxCursor, to: OutboxCursor): Promise<void> {
    this.attempts.push({ at: Date.now(), from })
    this.trace.push('apply')
    const held = this.held
    this.held = undefined
    if (held) {
      held.enter()
      await held.released
    }
    const failure = this.failures.shift()
    if (failure) {
      this.trace.push('apply failed')
      throw failure
    }
    this.saved = to
    this.applied.push({ from, to, readings: plan.readings.length })
    this.trace.push('applied')
  }
}

/** Leadership that is held or not as the test says; counts its releases. */
export class LeadershipDouble implements Leadership {
  releases = 0
  acquires = 0

  constructor(public available = true) {}

  acquire(): Promise<boolean> {
    this.acquires += 1
    return Promise.resolve(this.available)
  }

  release(): Promise<void> {
    this.releases += 1
    return Promise.resolve()
  }
}

/** A promise and the function that resolves it. */
export function signal(): { fired: Promise<void>; fire: () => void } {
  let fire = (): void => undefined
  const fired = new Promise<void>((resolve) => (fire = resolve))
  return { fired, fire }
}
