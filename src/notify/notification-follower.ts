import { sleep } from '../abortable-sleep.js'
import type { Logger } from '../logger.js'
import type { OutboxCursor } from '../publish/outbox.js'
import type { Leadership } from '../series/series-follower.js'
import type { AlarmNotice, AlarmNoticeSource } from './committed-alarm-events.js'
import { deliverWithRetries, type AttemptResult, type RetryPolicy } from './delivery-retry.js'
import type { NotificationStore } from './notification-store.js'

/** A place alarm events go: a webhook, or the MQTT broker. */
export type NotificationTarget = {
  /** Names the target in metrics, logs, its cursor and the undeliverable record. */
  name: string
  /** One try; rejects only when `signal` aborts. */
  attempt(notice: AlarmNotice, signal: AbortSignal): Promise<AttemptResult>
}

/** What the follower reports as it goes (metrics). */
export type NotificationObserver = {
  delivered(target: string): void
  retried(target: string): void
  undeliverable(target: string): void
  /** Alarm events committed and not yet settled by the target. */
  queued(target: string, depth: number): void
}

export type NotificationFollowerOptions = {
  /** Events read ahead per target: the bound of its queue. */
  batch: number
  pollMs: number
  standbyMs: number
  retry: RetryPolicy
}

const MAX_BACKOFF_MS = 5000

/**
 * Delivers the committed alarm events to one target, in commit order, each tried within the
 * retry budget and then settled: the cursor moves past it, with the undeliverable record when
 * it was not taken, in one transaction. Each target has its own follower and cursor, so a
 * failing one only delays itself. Delivery is at least once (a stop between delivery and
 * settling delivers again); the event id lets a receiver drop the repeat. Runs only while the
 * shared leadership is held.
 */
export class NotificationFollower {
  private readonly abort = new AbortController()
  private running: Promise<void> | undefined
  private cursor: OutboxCursor | undefined
  private lastError: string | undefined

  constructor(
    private readonly target: NotificationTarget,
    private readonly leadership: Leadership,
    private readonly events: AlarmNoticeSource,
    private readonly store: NotificationStore,
    private readonly observer: NotificationObserver,
    private readonly options: NotificationFollowerOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running ??= this.run()
  }

  /** Stops at once; an event being tried is left unsettled, for the next leader. */
  async stop(): Promise<void> {
    this.abort.abort()
    await this.running
  }

  status(): { target: string; lastError?: string } {
    return this.lastError
      ? { target: this.target.name, lastError: this.lastError }
      : { target: this.target.name }
  }

  private async run(): Promise<void> {
    let backoff = this.options.pollMs
    while (!this.abort.signal.aborted) {
      try {
        if (!(await this.leadership.acquire())) {
          this.cursor = undefined
          await this.pause(this.options.standbyMs)
          continue
        }
        this.cursor ??= await this.store.cursor(this.target.name)
        const entries = await this.events.next(this.cursor, this.options.batch)
        this.observer.queued(this.target.name, await this.events.lag(this.cursor))
        for (const { cursor, notice } of entries) {
          if (this.abort.signal.aborted) return
          await this.deliver(notice, this.cursor, cursor)
          this.cursor = cursor
        }
        this.lastError = undefined
        backoff = this.options.pollMs
        if (entries.length < this.options.batch) await this.pause(this.options.pollMs)
      } catch (err) {
        if (this.abort.signal.aborted) return
        this.lastError = String(err)
        this.cursor = undefined
        this.log.warn(
          { err, target: this.target.name, backoffMs: backoff },
          'alarm notification follower failed, will retry',
        )
        await this.pause(backoff)
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2 + 100)
      }
    }
  }

  private async deliver(notice: AlarmNotice, from: OutboxCursor, to: OutboxCursor) {
    const name = this.target.name
    const signal = this.abort.signal
    const outcome = await deliverWithRetries(
      () => this.target.attempt(notice, signal),
      this.options.retry,
      signal,
      () => this.observer.retried(name),
    )
    if (outcome.delivered) {
      await this.store.settle(name, from, to)
      this.observer.delivered(name)
      return
    }
    const { attempts, reason } = outcome
    await this.store.settle(name, from, to, { notice, attempts, reason })
    this.observer.undeliverable(name)
    this.log.warn(
      { target: name, eventId: notice.eventId, type: notice.type, attempts, reason },
      'alarm notification undeliverable',
    )
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, this.abort.signal).catch(() => undefined)
  }
}
