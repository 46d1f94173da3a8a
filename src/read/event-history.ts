import { Readable } from 'node:stream'
import type { Pool, PoolClient } from 'pg'
import Cursor from 'pg-cursor'
import { MillstreamError } from '../errors.js'
import { isRetriablePgError } from '../journal/pg-errors.js'
import { withTimeout } from '../deadline.js'
import { ClientSlots, type Slot } from './client-slots.js'
import { EVENT_POSITION_SQL, eventQuerySql } from './event-query-sql.js'
import type { EventHistory, EventQuery, HistoryStream } from './ports.js'
import { readFailure } from './read-failure.js'

// Still importable from here, beside the adapter the tests open it with.
export type { EventHistory, EventQuery }

export type EventHistoryOptions = {
  /** Rows per cursor read (and per stream chunk). */
  batchSize?: number
  /** Streams open at once on this instance; each holds a connection of the read pool. */
  maxStreams?: number
  /** Streams open at once from one client address. */
  maxStreamsPerClient?: number
  /** Rows one answer holds at most; past it the answer ends with a place to go on from. */
  maxRows?: number
  /** How long one answer streams at most; past it, it ends with a place to go on from. */
  maxDurationMs?: number
  /** A client that takes nothing for this long has its answer aborted and its cursor closed. */
  slowClientMs?: number
}

type Row = [payload: string, eventId: string]

/**
 * Streams the event log through `pg-cursor` on a dedicated pooled connection. The next batch is
 * fetched only when the consumer asks for it, so memory stays flat however many rows match.
 * The connection goes back to the pool as soon as the last row is read, or when the stream
 * fails, stalls or is destroyed (client gone).
 */
export class PgEventHistory implements EventHistory {
  private readonly streams = new Set<Readable>()
  private readonly slots: ClientSlots
  private readonly batchSize: number
  private readonly maxRows: number
  private readonly maxDurationMs: number
  private readonly slowClientMs: number

  constructor(
    private readonly pool: Pool,
    options: EventHistoryOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000
    this.maxRows = options.maxRows ?? 100_000
    this.maxDurationMs = options.maxDurationMs ?? 60_000
    this.slowClientMs = options.slowClientMs ?? 10_000
    const max = options.maxStreams ?? 4
    this.slots = new ClientSlots('event streams', max, options.maxStreamsPerClient ?? max)
  }

  /** Number of streams holding a connection right now. */
  get active(): number {
    return this.streams.size
  }

  /**
   * Runs the query and reads its first batch before resolving, so a failure surfaces while the
   * caller can still answer with an error status.
   */
  async open(query: EventQuery, client = 'local'): Promise<HistoryStream> {
    const slot = this.slots.take(client)
    let connection: PoolClient | undefined
    try {
      connection = await this.pool.connect()
      const afterPosition = await positionOf(connection, query.after)
      const { sql, params } = eventQuerySql({ ...query, afterPosition }, this.maxRows)
      const cursor = connection.query(new Cursor<Row>(sql, params, { rowMode: 'array' }))
      const first = await cursor.read(this.batchSize)
      const stream = new CursorStream(connection, cursor, first, {
        batchSize: this.batchSize,
        // Cut short by the cap only when the caller asked for more than it.
        rowCap: (query.limit ?? Number.POSITIVE_INFINITY) > this.maxRows ? this.maxRows : undefined,
        deadline: Date.now() + this.maxDurationMs,
        slowClientMs: this.slowClientMs,
        slot,
      })
      this.streams.add(stream)
      stream.once('close', () => this.streams.delete(stream))
      return stream
    } catch (err) {
      slot.release()
      connection?.release(true)
      const known = readFailure(err)
      throw known === err && isRetriablePgError(err)
        ? new MillstreamError('STORE_UNAVAILABLE', 'event log unavailable', {
            cause: err,
            retriable: true,
          })
        : known
    }
  }

  /**
   * Ends every open stream (at shutdown, so the HTTP server and the pool can close); their
   * responses are cut short, so clients can tell they are incomplete.
   */
  async close(): Promise<void> {
    const closing = [...this.streams].map(
      (s) => new Promise<void>((resolve) => s.once('close', resolve).destroy()),
    )
    await Promise.all(closing)
  }
}

async function positionOf(connection: PoolClient, after?: string): Promise<number | undefined> {
  if (after === undefined) return undefined
  const r = await connection.query<{ position: number }>(EVENT_POSITION_SQL, [after])
  const position = r.rows[0]?.position
  if (position === undefined) {
    throw new MillstreamError('NOT_FOUND', `query.after: the log holds no event ${after}`)
  }
  return position
}

type StreamBounds = {
  batchSize: number
  /** The cap on rows, when it is below what the caller asked for. */
  rowCap: number | undefined
  /** Epoch ms past which no more batches are read. */
  deadline: number
  slowClientMs: number
  slot: Slot
}

/** Thrown into a stream whose client took nothing for too long. */
class SlowClientError extends Error {}

/** Pulls one cursor batch per `_read`: Node asks for more only when the consumer has drained. */
class CursorStream extends Readable implements HistoryStream {
  continueAfter: string | undefined
  rows = 0
  private lastEventId: string | undefined
  private pending: Row[] | undefined
  private reading: Promise<unknown> | undefined
  private released: Promise<void> | undefined
  private broken = false
  /** When the consumer last asked for more (epoch ms). */
  private lastPull = Date.now()
  private readonly watch: NodeJS.Timeout
  private readonly onClientError = (err: Error) => {
    this.broken = true
    this.destroy(err)
  }

  constructor(
    private readonly client: PoolClient,
    private readonly cursor: Cursor<Row>,
    first: Row[],
    private readonly bounds: StreamBounds,
  ) {
    super({ objectMode: true, highWaterMark: 1 })
    this.pending = first
    // A checked-out client has no pool listener: an error event without ours would crash.
    client.on('error', this.onClientError)
    // A client that takes nothing: no read in flight (the database is not the one waited for)
    // and no pull for the bound. Checked a few times per bound rather than timed per batch.
    this.watch = setInterval(
      () => {
        if (this.reading === undefined && Date.now() - this.lastPull > bounds.slowClientMs)
          this.destroy(new SlowClientError('the client stopped reading'))
      },
      Math.max(50, bounds.slowClientMs / 4),
    )
    this.watch.unref()
    this.once('end', () => clearInterval(this.watch))
  }

  override _read(): void {
    this.lastPull = Date.now()
    const first = this.pending
    if (first) {
      this.pending = undefined
      this.pushBatch(first)
      return
    }
    if (Date.now() >= this.bounds.deadline) {
      this.finish(true)
      return
    }
    this.reading = this.cursor.read(this.bounds.batchSize).then(
      (rows) => {
        this.reading = undefined
        if (!this.destroyed) this.pushBatch(rows)
      },
      (err: unknown) => {
        this.reading = undefined
        this.broken = true
        this.destroy(readFailure(err) as Error)
      },
    )
  }

  private pushBatch(batch: Row[]): void {
    const last = batch.at(-1)
    if (last) {
      this.rows += batch.length
      this.lastEventId = last[1]
      this.push(batch.map((row) => row[0]))
    }
    // A short batch means the portal is spent (pg-cursor has already closed it).
    if (batch.length < this.bounds.batchSize) {
      this.finish(this.bounds.rowCap !== undefined && this.rows >= this.bounds.rowCap)
    }
  }

  /** The last row is read: the connection goes back now, whatever the client still has to take. */
  private finish(cutShort: boolean): void {
    if (cutShort && this.lastEventId !== undefined) this.continueAfter = this.lastEventId
    this.released ??= this.releaseClient()
    // The client must still take what is buffered, within the same bound.
    this.push(null)
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    clearInterval(this.watch)
    this.released ??= this.releaseClient()
    this.released.then(
      () => callback(err),
      () => callback(err),
    )
  }

  /**
   * Waits for a read in flight, closes the portal and returns the connection; a connection that
   * failed, or does not answer within 5 s, is dropped instead.
   */
  private async releaseClient(): Promise<void> {
    let discard = false
    try {
      await withTimeout(this.settle(), 5000)
    } catch {
      discard = true
    }
    this.client.removeListener('error', this.onClientError)
    this.client.release(discard || this.broken || undefined)
    this.bounds.slot.release()
  }

  private async settle(): Promise<void> {
    await this.reading
    if (!this.broken) await this.cursor.close()
  }
}
