import { withTimeout } from '../deadline.js'
import type { Logger } from '../logger.js'
import { ClientSlots, type Slot } from './client-slots.js'
import { acceptsChange, Coalescer, type PendingUpdate, type StreamFilter } from './coalescer.js'
import {
  compareCursors,
  formatCursor,
  LOG_START,
  parseCursor,
  type LogCursor,
} from './log-cursor.js'
import type { ChangeLog, LogChange, LogTail, TailMembership } from './log-tail.js'
import type { LiveUpdates, StreamMessage, StreamRequest, StreamSink } from './ports.js'
import { readRows, updateData, type StreamStores } from './stream-rows.js'

export type LiveStreamOptions = {
  flushMs: number
  keepaliveMs: number
  /** Log rows a resume may read; a resume point further back gets `reset`. */
  resumeMaxEvents: number
  /** Rows per read of a resume's catch-up. */
  batch: number
  /** Bounds each flush's row reads. */
  deadlineMs: number
  /** Subscribers on this instance at most (default: no cap). */
  maxSubscribers?: number
  /** Subscribers from one client address at most (default: the instance's cap). */
  maxSubscribersPerClient?: number
  /** A subscriber whose socket stays full this long is dropped (default 30 s). */
  slowClientMs?: number
  log: Logger
  /** Told the number of subscribers whenever it changes. */
  onSubscribers?: (count: number) => void
  /** Told, after each flush, how many entity updates wait to be sent, summed over subscribers. */
  onPending?: (count: number) => void
}

type Subscriber = {
  filter: StreamFilter
  sink: StreamSink
  pending: Coalescer
  membership?: TailMembership
  /** False while a resume reads what the client missed: its updates wait for it. */
  live: boolean
  /** The socket is full: keep coalescing until it drains. */
  blocked: boolean
  /** When the socket filled up (epoch ms), while it is full. */
  blockedSince?: number
  slot: Slot
  closed: boolean
  /**
   * Changes up to here the client already has: it resumed from a point this instance's tail
   * had not reached yet (another instance served it further).
   */
  seenThrough?: LogCursor
}

/** Updates one flush sends a subscriber at most; the rest wait, newer than those sent. */
const MAX_UPDATES_PER_FLUSH = 5000

/**
 * The live stream's subscribers, fed by the shared log tail. Each subscriber coalesces its
 * changes per entity; every `flushMs` each one that can take more gets one update per entity,
 * oldest first, whose data is the entity's current row, read once for all of them.
 */
export class LiveStream implements LiveUpdates {
  private readonly subscribers = new Set<Subscriber>()
  private timers: NodeJS.Timeout[] = []
  private flushing: Promise<void> | undefined
  private closed = false
  private readonly slots: ClientSlots

  constructor(
    private readonly tail: LogTail,
    private readonly changes: ChangeLog,
    private readonly stores: StreamStores,
    private readonly options: LiveStreamOptions,
  ) {
    const max = options.maxSubscribers ?? Number.POSITIVE_INFINITY
    this.slots = new ClientSlots('stream subscribers', max, options.maxSubscribersPerClient ?? max)
  }

  /** Entities waiting to be sent, summed over subscribers. */
  pendingUpdates(): number {
    let n = 0
    for (const s of this.subscribers) n += s.pending.size
    return n
  }

  /** Refused with `READS_BUSY` (503) past the cap on subscribers, per instance or per client. */
  async subscribe(request: StreamRequest, sink: StreamSink): Promise<{ close(): void }> {
    const sub: Subscriber = {
      filter: request.filter,
      sink,
      pending: new Coalescer(),
      live: false,
      blocked: false,
      closed: false,
      slot: this.slots.take(request.client ?? 'local'),
    }
    try {
      sub.membership = await this.tail.join((changes) => {
        for (const c of changes) if (this.wants(sub, c)) sub.pending.add(c)
      })
    } catch (err) {
      sub.slot.release()
      throw err
    }
    this.add(sub)
    const close = () => this.drop(sub)
    try {
      await this.begin(sub, sub.membership.cursor, request.resumeFrom)
    } catch (err) {
      close()
      throw err
    }
    return { close }
  }

  /** Ends every subscription (at shutdown) and stops the tail. */
  async close(): Promise<void> {
    this.closed = true
    for (const sub of [...this.subscribers]) this.drop(sub)
    await this.tail.close()
    await this.flushing
  }

  private wants(sub: Subscriber, change: LogChange): boolean {
    if (sub.seenThrough && compareCursors(change.cursor, sub.seenThrough) <= 0) return false
    return acceptsChange(sub.filter, change)
  }

  /** hello, then either live at once or a catch-up from the resume point first. */
  private async begin(sub: Subscriber, now: LogCursor, resumeFrom?: string): Promise<void> {
    const from = resumeFrom === undefined ? undefined : parseCursor(resumeFrom)
    if (resumeFrom === undefined || !from || !(await this.resumable(from))) {
      send(sub, { event: 'hello', id: formatCursor(now), data: helloData(now) })
      if (resumeFrom !== undefined) this.reset(sub, now, 'the resume point is not in the log')
      sub.live = true
      return
    }
    send(sub, { event: 'hello', id: formatCursor(from), data: helloData(from) })
    if (compareCursors(from, now) >= 0) {
      // Nothing to catch up: the tail is at or behind it, and what it brings up to there is old.
      sub.seenThrough = from
      sub.pending.dropThrough(from)
      sub.live = true
      return
    }
    // In the background: the client already has its hello; its live updates wait meanwhile.
    void this.catchUp(sub, from, now).catch((err: unknown) => {
      // Ending it lets the client reconnect from the same point and try again.
      this.options.log.warn({ err }, 'a resume failed; ending its stream')
      this.drop(sub)
    })
  }

  /** A point the log holds (or its very start). */
  private async resumable(from: LogCursor): Promise<boolean> {
    if (compareCursors(from, LOG_START) === 0) return true
    return withTimeout(this.changes.holds(from), this.options.deadlineMs)
  }

  /** Every entity changed after `from` up to `to`, then the live updates after `to`. */
  private async catchUp(sub: Subscriber, from: LogCursor, to: LogCursor): Promise<void> {
    const { batch, resumeMaxEvents } = this.options
    // Positions are numbered as rows are written, so their distance tells, without reading a
    // row, a resume point far more than the bound back (from 0-0 on a large log, say).
    if (to.position - from.position > 2 * resumeMaxEvents) {
      this.reset(sub, to, `more than ${resumeMaxEvents} events since the resume point`)
      sub.live = true
      return
    }
    const missed = new Coalescer()
    let cursor = from
    let read = 0
    for (;;) {
      const page = await this.changes.after(cursor, batch, to)
      if (sub.closed) return
      read += page.length
      if (read > resumeMaxEvents) {
        this.reset(sub, to, `more than ${resumeMaxEvents} events since the resume point`)
        sub.live = true
        return
      }
      for (const c of page) if (acceptsChange(sub.filter, c)) missed.add(c)
      const last = page.at(-1)
      if (!last || page.length < batch) break
      cursor = last.cursor
    }
    sub.pending.absorb(missed)
    sub.live = true
  }

  private reset(sub: Subscriber, now: LogCursor, reason: string): void {
    send(sub, { event: 'reset', id: formatCursor(now), data: JSON.stringify({ reason }) })
  }

  private add(sub: Subscriber): void {
    this.subscribers.add(sub)
    this.options.onSubscribers?.(this.subscribers.size)
    if (this.timers.length === 0) {
      this.timers = [
        setInterval(() => {
          this.dropStalled()
          this.flushSoon()
        }, this.options.flushMs),
        setInterval(() => this.keepalive(), this.options.keepaliveMs),
      ]
    }
  }

  private drop(sub: Subscriber, abort = false): void {
    if (sub.closed) return
    sub.closed = true
    sub.slot.release()
    sub.membership?.leave()
    if (abort) sub.sink.abort()
    else sub.sink.end()
    this.subscribers.delete(sub)
    this.options.onSubscribers?.(this.subscribers.size)
    if (this.subscribers.size === 0) {
      for (const t of this.timers) clearInterval(t)
      this.timers = []
    }
  }

  private keepalive(): void {
    for (const sub of this.subscribers) if (!sub.blocked && !sub.sink.keepalive()) block(sub)
  }

  /**
   * Drops a subscriber whose socket has stayed full too long: it gets nothing new meanwhile, and
   * what it has not taken is cut off rather than held for it.
   */
  private dropStalled(): void {
    const stalledBefore = Date.now() - (this.options.slowClientMs ?? 30_000)
    for (const sub of [...this.subscribers]) {
      if (sub.blockedSince !== undefined && sub.blockedSince < stalledBefore) {
        this.options.log.info('a live stream client stopped reading; dropping it')
        this.drop(sub, true)
      }
    }
  }

  /** One flush at a time: a slow one makes the next wait, never run beside it. */
  private flushSoon(): void {
    if (this.flushing || this.closed) return
    this.flushing = this.flush()
      .catch((err: unknown) =>
        this.options.log.warn({ err }, 'reading rows for the live stream failed; retrying'),
      )
      .finally(() => {
        this.flushing = undefined
        this.options.onPending?.(this.pendingUpdates())
      })
  }

  private async flush(): Promise<void> {
    const taken: [Subscriber, PendingUpdate[]][] = []
    for (const sub of this.subscribers) {
      if (sub.live && !sub.blocked && sub.pending.size > 0)
        taken.push([sub, sub.pending.take(MAX_UPDATES_PER_FLUSH)])
    }
    if (taken.length === 0) return
    let rows
    try {
      rows = await withTimeout(
        readRows(
          this.stores,
          taken.flatMap(([, u]) => u),
        ),
        this.options.deadlineMs,
      )
    } catch (err) {
      for (const [sub, updates] of taken) sub.pending.putBack(updates)
      throw err
    }
    for (const [sub, updates] of taken) {
      const messages = updates.flatMap((u) => {
        // Read now, a row may already hold changes still on their way: their update sends it
        // again, so its id moves the client's resume point on.
        const data = updateData(rows, u)
        return data === undefined ? [] : [{ event: u.kind, id: formatCursor(u.cursor), data }]
      })
      if (messages.length > 0) send(sub, ...messages)
    }
  }
}

const helloData = (cursor: LogCursor) => JSON.stringify({ cursor: formatCursor(cursor) })

function send(sub: Subscriber, ...messages: StreamMessage[]): void {
  if (!sub.closed && !sub.sink.send(messages)) block(sub)
}

function block(sub: Subscriber): void {
  if (sub.blocked) return
  sub.blocked = true
  sub.blockedSince = Date.now()
  sub.sink.onDrain(() => {
    sub.blocked = false
    sub.blockedSince = undefined
  })
}
