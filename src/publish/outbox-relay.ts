import { setTimeout as sleep } from 'node:timers/promises'
import type { DomainEvent } from '../domain/events.js'
import type { Logger } from '../logger.js'
import type { OutboxCursor, OutboxEntry } from './outbox.js'
import type { ParkedSummary, ParkingLot } from './parking-lot.js'
import { publishIsolating } from './poison-isolation.js'
import { refusalOf } from './refusal.js'

/** The relay's view of the outbox (PostgreSQL in production). */
export interface OutboxSource {
  /** Becomes the one relay allowed to publish; false while another instance is. */
  acquire(): Promise<boolean>
  release(): Promise<void>
  cursor(): Promise<OutboxCursor>
  next(after: OutboxCursor, limit: number): Promise<OutboxEntry[]>
  save(cursor: OutboxCursor): Promise<void>
  lag(after: OutboxCursor): Promise<number>
}

/** The relay's view of the event bus (Kafka in production). */
export interface EventPublisher {
  connect(): Promise<void>
  /** Publishes in order; `headers` go on every record besides the event's own. */
  send(events: DomainEvent[], headers?: Record<string, string>): Promise<void>
  disconnect(): Promise<void>
}

/** Headers of a parked record published later, out of its key's order. */
export const REPUBLISHED_HEADERS = (parkedAt: number): Record<string, string> => ({
  'parked-at': new Date(parkedAt).toISOString(),
  'republished-out-of-order': 'true',
})

/** How often a caught-up relay looks for parked records an operator asked to republish. */
const REPUBLISH_CHECK_MS = 1000

export type RelayStatus = {
  /** Whether this instance holds the relay's leadership (others stand by). */
  leader: boolean
  published: number
  connected: boolean
  lastError: string | undefined
  /** When the relay last caught up or published a batch (epoch ms). */
  lastProgressAt: number
  /** Records Kafka refused for good, parked and not yet republished. */
  parked: ParkedSummary
}

/**
 * Publishes committed events in commit order, a batch at a time, and records how far it got
 * only after the broker acknowledged. A crash between the two re-sends the batch: consumers
 * see the same `eventId` twice and drop it. While the broker is down it backs off and retries;
 * the events wait in the log.
 *
 * Under load it reads the next batch while the broker acknowledges the current one, and saves
 * its cursor in the background (in order): the relay then waits on one round trip per batch,
 * not three.
 *
 * A record Kafka refuses for good (too large for the topic, invalid) is narrowed down and
 * parked (`parking`), and the cursor moves past it: one record must not stop every other.
 * Order per key: the key's later records are published past the parked one; republished later,
 * it carries `REPUBLISHED_HEADERS` and its own sequence, so a consumer sees the gap and then the
 * late record. Without `parking` a refusal is a failure like any other.
 */
export class OutboxRelay {
  private readonly abort = new AbortController()
  private running: Promise<void> | undefined
  private cursor: OutboxCursor | undefined
  /** The cursor saves not yet done, chained so they land in order. */
  private saving: Promise<void> = Promise.resolve()
  /** Set by `wake` (events were committed): the next idle wait is skipped or cut short. */
  private woken = false
  private endIdle: (() => void) | undefined
  private readonly state: RelayStatus = {
    leader: false,
    published: 0,
    connected: false,
    lastError: undefined,
    lastProgressAt: Date.now(),
    parked: { waiting: 0 },
  }
  private republishCheckedAt = 0

  constructor(
    private readonly outbox: OutboxSource,
    private readonly publisher: EventPublisher,
    private readonly options: {
      batch: number
      pollMs: number
      maxBackoffMs?: number
      standbyMs?: number
      /**
       * A one-off run (a replay): stop once caught up, and end on the first failure instead of
       * retrying, so whoever started it hears of it.
       */
      once?: boolean
      /** Where refused records go; without it a refusal is retried like an outage. */
      parking?: ParkingLot
    },
    private readonly log: Logger,
  ) {}

  start(): void {
    this.running ??= this.run()
  }

  /** Stops after the batch in hand; resolves when the relay has let go of its connections. */
  async stop(): Promise<void> {
    this.abort.abort()
    await this.running?.catch(() => undefined)
    await this.saving
    await this.publisher.disconnect()
    await this.outbox.release()
  }

  /**
   * Runs once (see `once`) to the end of the log or until stopped, lets go of its connections,
   * and resolves with how many events it published; rejects with the failure that ended it.
   */
  async runToEnd(): Promise<number> {
    try {
      this.start()
      await this.running
    } finally {
      await this.stop()
    }
    return this.state.published
  }

  /**
   * Events were just committed (told by this process's commits): read them now rather than at
   * the next poll. Polling stays, for commits of other processes.
   */
  wake(): void {
    this.woken = true
    this.endIdle?.()
  }

  status(): RelayStatus {
    return { ...this.state }
  }

  /** Events committed but not yet published (undefined before the relay has read its cursor). */
  async lag(): Promise<number | undefined> {
    return this.cursor ? this.outbox.lag(this.cursor) : undefined
  }

  private async run(): Promise<void> {
    let backoff = this.options.pollMs
    let readAhead: Promise<OutboxEntry[]> | undefined
    while (!this.abort.signal.aborted) {
      try {
        const cursor = await this.lead()
        if (!cursor && this.options.once) throw new Error('another instance is publishing this log')
        if (!cursor) {
          readAhead = undefined
          await this.pause(this.options.standbyMs ?? 2000)
          continue
        }
        await this.connect()
        const entries = await (readAhead ?? this.outbox.next(cursor, this.options.batch))
        readAhead = undefined
        if (entries.length > 0) {
          const last = entries[entries.length - 1] as OutboxEntry
          const sent = { txId: last.txId, position: last.position }
          const sending = this.publisher.send(entries.map((e) => e.event))
          if (entries.length === this.options.batch) {
            // More is waiting: read it while the broker acknowledges this batch.
            readAhead = this.outbox.next(sent, this.options.batch)
            readAhead.catch(() => undefined)
          }
          await this.settle(sending, entries)
          this.cursor = sent
          this.saveInBackground(sent)
          this.state.published += entries.length
          this.state.lastError = undefined
          backoff = this.options.pollMs
          if (this.options.once) this.log.info({ published: this.state.published }, 'publishing')
        }
        this.state.lastProgressAt = Date.now()
        // Also under a load of full batches: at most once a second, so it never starves.
        if (!this.options.once) await this.republishRequested()
        if (entries.length < this.options.batch) {
          if (this.options.once) break
          await this.idle(this.options.pollMs)
        }
      } catch (err) {
        readAhead = undefined
        if (this.options.once) {
          await this.letGo()
          throw err
        }
        this.state.lastError = (err as Error).message
        this.log.warn({ err, backoffMs: backoff }, 'relay failed, will retry')
        await this.letGo()
        await this.pause(backoff)
        backoff = Math.min(this.options.maxBackoffMs ?? 5000, backoff * 2 + 100)
      }
    }
  }

  /** Waits for a batch's send; a refusal for good is narrowed down to its records, parked. */
  private async settle(sending: Promise<void>, entries: OutboxEntry[]): Promise<void> {
    try {
      await sending
    } catch (err) {
      const refusal = refusalOf(err)
      const parking = this.options.parking
      if (!refusal || !parking) throw err
      this.log.warn({ err, batch: entries.length }, 'Kafka refused records for good; isolating')
      const parked = await publishIsolating(entries, refusal, {
        send: (part) => this.publisher.send(part.map((e) => e.event)),
        renew: async () => {
          await this.letGo()
          await this.connect()
        },
        park: async (entry, why) => {
          await parking.park(entry.event, why)
          this.log.error(
            { eventId: entry.event.eventId, type: entry.event.type, key: entry.event.key, why },
            'parked a record Kafka refused; publishing past it',
          )
        },
      })
      this.state.parked = await parking.summary()
      this.log.info({ parked, published: entries.length - parked }, 'isolated refused records')
    }
  }

  /**
   * Publishes the parked records an operator asked for (after raising the broker's limit), at
   * most once a second; one refused again stays parked with the new reason.
   */
  private async republishRequested(): Promise<void> {
    const parking = this.options.parking
    if (!parking || Date.now() - this.republishCheckedAt < REPUBLISH_CHECK_MS) return
    this.republishCheckedAt = Date.now()
    for (const record of await parking.requested(100)) {
      try {
        await this.publisher.send([record.event], REPUBLISHED_HEADERS(record.parkedAt))
        await parking.republished(record.id)
        this.log.info({ eventId: record.event.eventId }, 'republished a parked record')
      } catch (err) {
        const refusal = refusalOf(err)
        if (!refusal) throw err
        await parking.refusedAgain(record.id, refusal)
        await this.letGo()
        await this.connect()
      }
    }
    this.state.parked = await parking.summary()
  }

  /** Records `cursor` after the saves before it; a failed save only means a re-send later. */
  private saveInBackground(cursor: OutboxCursor): void {
    this.saving = this.saving
      .then(() => this.outbox.save(cursor))
      .catch((err: unknown) => this.log.warn({ err }, 'relay could not save its cursor'))
  }

  /** The cursor to publish from, or undefined while another instance leads. */
  private async lead(): Promise<OutboxCursor | undefined> {
    // Cheap while held; takes the lock again if its connection died.
    const wasLeader = this.state.leader
    this.state.leader = await this.outbox.acquire()
    if (!this.state.leader) return undefined
    if (!wasLeader) {
      // Re-read: the cursor may have moved while another instance led.
      this.cursor = undefined
      this.log.info('relay took leadership')
    }
    if (!this.cursor) {
      this.cursor = await this.outbox.cursor()
      if (this.options.parking) this.state.parked = await this.options.parking.summary()
    }
    return this.cursor
  }

  private async connect(): Promise<void> {
    if (this.state.connected) return
    await this.publisher.connect()
    this.state.connected = true
    this.log.info('relay connected to the event bus')
  }

  /** After a failure: drop the broker connection, to make a fresh one on the next try. */
  private async letGo(): Promise<void> {
    if (this.state.connected) {
      this.state.connected = false
      await this.publisher.disconnect().catch(() => undefined)
    }
  }

  /** Waits up to `ms` for new events, less if woken. */
  private async idle(ms: number): Promise<void> {
    if (!this.woken) {
      await Promise.race([this.pause(ms), new Promise<void>((resolve) => (this.endIdle = resolve))])
      this.endIdle = undefined
    }
    this.woken = false
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.abort.signal }).catch(() => undefined)
  }
}
