import { Readable } from 'node:stream'
import type { Pool, PoolClient } from 'pg'
import Cursor from 'pg-cursor'
import { MillstreamError } from '../errors.js'
import { isRetriablePgError } from '../journal/pg-errors.js'
import { withTimeout } from '../deadline.js'
import type { EventHistory, EventQuery } from './ports.js'

// Still importable from here, beside the adapter the tests open it with.
export type { EventHistory, EventQuery }

export type EventHistoryOptions = {
  /** Rows per cursor read (and per stream chunk). */
  batchSize?: number
  /** Streams open at once; each holds a pooled connection, so writers must keep some. */
  maxStreams?: number
}

/**
 * Streams the event log through `pg-cursor` on a dedicated pooled connection. The next batch is
 * fetched only when the consumer asks for it, so memory stays flat however many rows match.
 * The connection goes back to the pool when the stream ends, fails or is destroyed (client gone).
 */
export class PgEventHistory implements EventHistory {
  private readonly streams = new Set<Readable>()
  private opening = 0
  private readonly batchSize: number
  private readonly maxStreams: number

  constructor(
    private readonly pool: Pool,
    options: EventHistoryOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000
    this.maxStreams = options.maxStreams ?? 4
  }

  /** Number of streams holding a connection right now. */
  get active(): number {
    return this.streams.size
  }

  /**
   * Runs the query and reads its first batch before resolving, so a failure surfaces while the
   * caller can still answer with an error status.
   */
  async open(query: EventQuery): Promise<Readable> {
    if (this.streams.size + this.opening >= this.maxStreams) {
      throw new MillstreamError('STORE_UNAVAILABLE', 'too many event streams open; retry later', {
        retriable: true,
      })
    }
    const { sql, params } = toSql(query)
    this.opening++
    let client: PoolClient | undefined
    try {
      client = await this.pool.connect()
      const cursor = client.query(new Cursor<[string]>(sql, params, { rowMode: 'array' }))
      const first = await cursor.read(this.batchSize)
      const stream = new CursorStream(client, cursor, this.batchSize, first.map(jsonOf))
      this.streams.add(stream)
      stream.once('close', () => this.streams.delete(stream))
      return stream
    } catch (err) {
      client?.release(true)
      throw isRetriablePgError(err)
        ? new MillstreamError('STORE_UNAVAILABLE', 'event log unavailable', {
            cause: err,
            retriable: true,
          })
        : err
    } finally {
      this.opening--
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

const jsonOf = (row: [string]): string => row[0]

function toSql(query: EventQuery): { sql: string; params: unknown[] } {
  const where: string[] = []
  const params: unknown[] = []
  const param = (value: unknown): string => `$${params.push(value)}`
  if (query.types) where.push(`type = ANY(${param(query.types)}::text[])`)
  if (query.key !== undefined) where.push(`entity_id = ${param(query.key)}`)
  if (query.contains && Object.keys(query.contains).length > 0) {
    where.push(`payload::jsonb @> ${param(JSON.stringify(query.contains))}::jsonb`)
  }
  // Epoch ms, converted as the writes do: PostgreSQL reads no ISO text for year 0000.
  if (query.from !== undefined) where.push(`occurred_at >= ms_to_ts(${param(query.from)})`)
  if (query.to !== undefined) where.push(`occurred_at < ms_to_ts(${param(query.to)})`)
  const sql = `SELECT payload::text FROM event_log
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY position${query.limit !== undefined ? ` LIMIT ${param(query.limit)}` : ''}`
  return { sql, params }
}

/** Pulls one cursor batch per `_read`: Node asks for more only when the consumer has drained. */
class CursorStream extends Readable {
  private pending: string[] | undefined
  private reading: Promise<unknown> | undefined
  private broken = false
  private readonly onClientError = (err: Error) => {
    this.broken = true
    this.destroy(err)
  }

  constructor(
    private readonly client: PoolClient,
    private readonly cursor: Cursor<[string]>,
    private readonly batchSize: number,
    first: string[],
  ) {
    super({ objectMode: true, highWaterMark: 1 })
    this.pending = first
    // A checked-out client has no pool listener: an error event without ours would crash.
    client.on('error', this.onClientError)
  }

  override _read(): void {
    const first = this.pending
    if (first) {
      this.pending = undefined
      this.pushBatch(first)
      return
    }
    this.reading = this.cursor.read(this.batchSize).then(
      (rows) => {
        this.reading = undefined
        if (!this.destroyed) this.pushBatch(rows.map(jsonOf))
      },
      (err: unknown) => {
        this.reading = undefined
        this.broken = true
        this.destroy(err as Error)
      },
    )
  }

  private pushBatch(batch: string[]): void {
    if (batch.length > 0) this.push(batch)
    // A short batch means the portal is spent (pg-cursor has already closed it).
    if (batch.length < this.batchSize) this.push(null)
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    this.releaseClient().then(
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
  }

  private async settle(): Promise<void> {
    await this.reading
    if (!this.broken) await this.cursor.close()
  }
}
