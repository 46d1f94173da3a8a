import type { EventType } from '../domain/event-catalog.js'
import type { EntityType } from '../domain/events.js'
import { sleep } from '../abortable-sleep.js'
import type { Logger } from '../logger.js'
import { MillstreamError } from '../errors.js'
import type { LogCursor } from './log-cursor.js'

/** One committed event, as much of it as the live stream reads: which entity changed, and how. */
export type LogChange = {
  cursor: LogCursor
  kind: EntityType
  entityId: string
  type: EventType
  /** Its place in the entity's stream; for a dead letter, the letter's id. */
  sequence: number
}

/** The committed log, read in commit order. */
export interface ChangeLog {
  /** The newest change a reader may see now ({@link LOG_START} for an empty log). */
  head(): Promise<LogCursor>
  /** Changes after `after` in commit order, at most `limit`, none past `upTo` when given. */
  after(after: LogCursor, limit: number, upTo?: LogCursor): Promise<LogChange[]>
  /** Whether a change sits at `cursor`. */
  holds(cursor: LogCursor): Promise<boolean>
}

export type TailListener = (changes: readonly LogChange[]) => void

/** A listener's place on the tail: it receives every change after `cursor`, in order. */
export type TailMembership = { cursor: LogCursor; leave(): void }

export type LogTailOptions = { pollMs: number; batch: number; log: Logger }

/**
 * The one reader of the committed log per instance, shared by every live stream: while anyone
 * listens it polls for changes after its cursor and hands each batch to every listener; with
 * no listener it stops, and the next one starts again at the log's head. Reading the log, not
 * this instance's own commits, is what lets a stream on any instance see every commit.
 */
export class LogTail {
  private readonly listeners = new Set<TailListener>()
  private cursor: LogCursor | undefined
  private starting: Promise<LogCursor> | undefined
  private running: Promise<void> | undefined
  private readonly stopped = new AbortController()
  private failing = false

  constructor(
    private readonly changes: ChangeLog,
    private readonly options: LogTailOptions,
  ) {}

  get listening(): number {
    return this.listeners.size
  }

  /** Joins the tail; `listener` gets every change after the cursor this resolves with. */
  async join(listener: TailListener): Promise<TailMembership> {
    if (this.stopped.signal.aborted) throw closing()
    if (!this.cursor) await this.start()
    if (this.stopped.signal.aborted || !this.cursor) throw closing()
    // In the same turn as reading the cursor: the next batch handed out comes after it.
    this.listeners.add(listener)
    this.running ??= this.run()
    return { cursor: this.cursor, leave: () => this.listeners.delete(listener) }
  }

  /** Stops polling; members get nothing more. */
  async close(): Promise<void> {
    this.stopped.abort()
    this.listeners.clear()
    await this.running
  }

  private async start(): Promise<void> {
    this.starting ??= this.changes.head().finally(() => (this.starting = undefined))
    const head = await this.starting
    this.cursor ??= head
  }

  private async run(): Promise<void> {
    const { pollMs, batch } = this.options
    while (!this.stopped.signal.aborted && this.listeners.size > 0 && this.cursor) {
      let full = false
      try {
        const changes = await this.changes.after(this.cursor, batch)
        this.healthy()
        const last = changes.at(-1)
        if (last) {
          this.cursor = last.cursor
          for (const listener of this.listeners) listener(changes)
        }
        full = changes.length === batch
      } catch (err) {
        this.failed(err)
      }
      // A full batch means more is waiting: read on at once until caught up.
      if (!full) await sleep(pollMs, this.stopped.signal).catch(() => undefined)
    }
    this.running = undefined
    // Idle: the next listener starts from the head then, not from a stale cursor.
    if (this.listeners.size === 0) this.cursor = undefined
  }

  private failed(err: unknown): void {
    if (!this.failing) this.options.log.warn({ err }, 'reading the event log failed; retrying')
    this.failing = true
  }

  private healthy(): void {
    if (this.failing) this.options.log.info('reading the event log again')
    this.failing = false
  }
}

const closing = () =>
  new MillstreamError('SHUTTING_DOWN', 'the service is shutting down', { retriable: true })
