import { sleep } from '../abortable-sleep.js'
import type { Logger } from '../logger.js'
import type { OutboxCursor } from '../publish/outbox.js'
import type { CommittedSeriesEvent } from '../series/committed-events.js'
import type { Leadership, SeriesEventSource } from '../series/series-follower.js'
import { planDowntime, type DowntimeClock, type DowntimePlan } from './downtime-plan.js'
import type { MachineSource, PlantModel } from './plant-model.js'

/** The downtime tables, the follower's cursor and what places a machine. */
export interface DowntimeSink {
  cursor(): Promise<OutboxCursor>
  clocks(machineIds: readonly string[]): Promise<Map<string, DowntimeClock>>
  /** Each machine's Sparkplug edge node, for those that have one. */
  sources(machineIds: readonly string[]): Promise<Map<string, MachineSource>>
  apply(plan: DowntimePlan, from: OutboxCursor, to: OutboxCursor): Promise<void>
}

export type DowntimeFollowerOptions = { batch: number; pollMs: number; standbyMs: number }

const MAX_BACKOFF_MS = 5000

/**
 * Turns the committed log into downtime records and parts per minute, a batch at a time in
 * commit order, each batch written with the cursor past it in one transaction (so a SIGKILL
 * neither doubles nor drops one). One leader per database; clocks and placements are cached
 * between batches and forgotten after a failure or a change of leader.
 */
export class DowntimeFollower {
  private readonly abort = new AbortController()
  private running: Promise<void> | undefined
  private cursor: OutboxCursor | undefined
  private readonly clocks = new Map<string, DowntimeClock>()
  private readonly sources = new Map<string, MachineSource>()
  private leader = false
  private lastError: string | undefined

  constructor(
    private readonly leadership: Leadership,
    private readonly events: SeriesEventSource,
    private readonly sink: DowntimeSink,
    private readonly model: () => PlantModel,
    private readonly options: DowntimeFollowerOptions,
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

  status(): { leader: boolean; lastError?: string } {
    return this.lastError
      ? { leader: this.leader, lastError: this.lastError }
      : { leader: this.leader }
  }

  /** Machine events committed and not yet applied; undefined unless this instance leads. */
  async lag(): Promise<number | undefined> {
    return this.leader && this.cursor ? this.events.lag(this.cursor) : undefined
  }

  private async run(): Promise<void> {
    let backoff = this.options.pollMs
    while (!this.abort.signal.aborted) {
      try {
        const cursor = await this.lead()
        if (!cursor) {
          await this.pause(this.options.standbyMs)
          continue
        }
        const entries = await this.events.next(cursor, this.options.batch)
        const last = entries.at(-1)
        if (last) await this.apply(entries, cursor, last.cursor)
        this.lastError = undefined
        backoff = this.options.pollMs
        if (entries.length < this.options.batch) await this.pause(this.options.pollMs)
      } catch (err) {
        this.lastError = String(err)
        this.cursor = undefined
        this.clocks.clear()
        this.sources.clear()
        this.log.warn({ err, backoffMs: backoff }, 'downtime follower failed, will retry')
        await this.pause(backoff)
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2 + 100)
      }
    }
  }

  private async apply(entries: CommittedSeriesEvent[], from: OutboxCursor, to: OutboxCursor) {
    const ids = [...new Set(entries.map((e) => e.event.machineId))]
    const unknown = ids.filter((id) => !this.clocks.has(id))
    if (unknown.length > 0)
      for (const [id, clock] of await this.sink.clocks(unknown)) this.clocks.set(id, clock)
    const unplaced = ids.filter((id) => !this.sources.has(id))
    if (unplaced.length > 0) {
      const found = await this.sink.sources(unplaced)
      for (const id of unplaced) this.sources.set(id, found.get(id) ?? { machineId: id })
    }
    const model = this.model()
    const plan = planDowntime(
      entries,
      (id) => this.clocks.get(id),
      (id) => model.placementOf(this.sources.get(id) ?? { machineId: id })?.lineId,
    )
    await this.sink.apply(plan, from, to)
    for (const [id, clock] of plan.clocks) this.clocks.set(id, clock)
    this.cursor = to
  }

  /** The cursor to read from, or undefined while another instance leads. */
  private async lead(): Promise<OutboxCursor | undefined> {
    const wasLeader = this.leader
    this.leader = await this.leadership.acquire()
    if (!this.leader) return undefined
    if (!wasLeader) {
      this.log.info('downtime follower took leadership')
      this.cursor = undefined
      this.clocks.clear()
      this.sources.clear()
    }
    this.cursor ??= await this.sink.cursor()
    return this.cursor
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, this.abort.signal).catch(() => undefined)
  }
}
