import { sleep } from '../abortable-sleep.js'
import type { Logger } from '../logger.js'
import type { OutboxCursor } from '../publish/outbox.js'
import type { CommittedSeriesEvent } from './committed-events.js'
import { planBatch, type MachineClock, type SeriesPlan } from './plan.js'
import type { SeriesRetention } from './retention.js'
import { SeriesFencedError } from './rollup-store.js'

/** Leadership: of several instances on one database, one rolls up. */
export interface Leadership {
  acquire(): Promise<boolean>
  release(): Promise<void>
}

/** The committed log, as the follower reads it. */
export interface SeriesEventSource {
  next(after: OutboxCursor, limit: number): Promise<CommittedSeriesEvent[]>
  lag(after: OutboxCursor): Promise<number>
}

/** The rollup tables and the follower's cursor. */
export interface SeriesSink {
  cursor(): Promise<OutboxCursor>
  clocks(machineIds: readonly string[]): Promise<Map<string, MachineClock>>
  apply(plan: SeriesPlan, from: OutboxCursor, to: OutboxCursor): Promise<void>
}

export type SeriesFollowerOptions = {
  /** Events read and applied per transaction. */
  batch: number
  /** Wait between reads once caught up. */
  pollMs: number
  /** Wait between tries of the leadership while another instance holds it. */
  standbyMs: number
  retention: SeriesRetention
  sweepIntervalMs: number
  /** Deletes rows past retention; resolves with whether more may remain. */
  sweep: (now: number) => Promise<boolean>
  now?: () => number
}

export type SeriesFollowerStatus = { leader: boolean; applied: number; lastError?: string }

const MAX_BACKOFF_MS = 5000

/**
 * Rolls the committed log up into the series tables, a batch at a time, in commit order. Each
 * batch is aggregated in memory and written with the cursor past it in one transaction, so a
 * crash neither counts an event twice nor drops one. Machines' clocks are cached between
 * batches (this is the only writer) and re-read after a failure or a change of leader. The
 * retention sweep runs in the same loop, between batches, so it never races a batch.
 */
export class SeriesFollower {
  private readonly abort = new AbortController()
  private running: Promise<void> | undefined
  private cursor: OutboxCursor | undefined
  private readonly clocks = new Map<string, MachineClock>()
  private nextSweepAt = 0
  private readonly state: SeriesFollowerStatus = { leader: false, applied: 0 }

  constructor(
    private readonly leadership: Leadership,
    private readonly events: SeriesEventSource,
    private readonly sink: SeriesSink,
    private readonly options: SeriesFollowerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running ??= this.run()
  }

  /** Stops after the batch in hand and lets the leadership go. */
  async stop(): Promise<void> {
    this.abort.abort()
    await this.running
    await this.leadership.release()
  }

  status(): SeriesFollowerStatus {
    return { ...this.state }
  }

  /** Machine events committed and not yet rolled up; undefined unless this instance leads. */
  async lag(): Promise<number | undefined> {
    return this.state.leader && this.cursor ? this.events.lag(this.cursor) : undefined
  }

  private now(): number {
    return (this.options.now ?? Date.now)()
  }

  private async run(): Promise<void> {
    let backoff = this.options.pollMs
    let readAhead: Promise<CommittedSeriesEvent[]> | undefined
    while (!this.abort.signal.aborted) {
      try {
        const cursor = await this.lead()
        if (!cursor) {
          await this.pause(this.options.standbyMs)
          continue
        }
        if (this.now() >= this.nextSweepAt) {
          const more = await this.options.sweep(this.now())
          this.nextSweepAt = more ? 0 : this.now() + this.options.sweepIntervalMs
        }
        const startedAt = Date.now()
        const entries = await (readAhead ?? this.events.next(cursor, this.options.batch))
        readAhead = undefined
        const last = entries.at(-1)
        if (last) {
          if (entries.length === this.options.batch) {
            // More is waiting: read it while this batch is written.
            readAhead = this.events.next(last.cursor, this.options.batch)
            readAhead.catch(() => undefined)
          }
          await this.apply(entries, cursor, last.cursor)
        }
        this.state.lastError = undefined
        backoff = this.options.pollMs
        // At most one batch per poll interval, even when behind: each batch then folds more
        // messages of a machine into one row per rollup, and the pipeline keeps more CPU.
        const elapsed = Date.now() - startedAt
        if (entries.length < this.options.batch) await this.pause(this.options.pollMs)
        else if (elapsed < this.options.pollMs) await this.pause(this.options.pollMs - elapsed)
      } catch (err) {
        readAhead = undefined
        await this.forget(err)
        this.log.warn({ err, backoffMs: backoff }, 'series follower failed, will retry')
        await this.pause(backoff)
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2 + 100)
      }
    }
  }

  private async apply(
    entries: CommittedSeriesEvent[],
    from: OutboxCursor,
    to: OutboxCursor,
  ): Promise<void> {
    const unknown = [...new Set(entries.map((e) => e.event.machineId))].filter(
      (id) => !this.clocks.has(id),
    )
    if (unknown.length > 0)
      for (const [id, clock] of await this.sink.clocks(unknown)) this.clocks.set(id, clock)
    const { retention } = this.options
    const plan = planBatch(
      entries.map((e) => e.event),
      (id) => this.clocks.get(id),
      { minute: retention.minuteMs, hour: retention.hourMs },
    )
    await this.sink.apply(plan, from, to)
    for (const [id, clock] of plan.clocks) this.clocks.set(id, clock)
    this.cursor = to
    this.state.applied += entries.length
  }

  /** The cursor to read from, or undefined while another instance leads. */
  private async lead(): Promise<OutboxCursor | undefined> {
    const wasLeader = this.state.leader
    this.state.leader = await this.leadership.acquire()
    if (!this.state.leader) return undefined
    if (!wasLeader) {
      this.log.info('series follower took leadership')
      this.cursor = undefined
      this.clocks.clear()
    }
    this.cursor ??= await this.sink.cursor()
    return this.cursor
  }

  /** After a failure, trust nothing cached; a fenced follower also lets the leadership go. */
  private async forget(err: unknown): Promise<void> {
    this.state.lastError = (err as Error).message
    this.cursor = undefined
    this.clocks.clear()
    if (err instanceof SeriesFencedError) {
      this.state.leader = false
      await this.leadership.release()
    }
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, this.abort.signal).catch(() => undefined)
  }
}
