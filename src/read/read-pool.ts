import pg from 'pg'
import { clientConfig, type DatabaseTarget } from '../journal/database-target.js'
import { SESSION_OPTIONS } from '../journal/pool.js'
import type { Logger } from '../logger.js'
import { readsBusy } from './read-failure.js'

/** The bounds of the API's read connections. */
export type ReadPoolOptions = {
  max: number
  /** Each statement's deadline on the server (`statement_timeout`). */
  statementTimeoutMs: number
  /** A transaction left idle is ended by the server after this (`idle_in_transaction_session_timeout`). */
  idleInTransactionTimeoutMs: number
  /** The longest wait for a connection; past it the read is refused (`READS_BUSY`). */
  acquireTimeoutMs: number
}

/**
 * The pool the API reads through, apart from the one that commits, so a flood of reads waits
 * for its own connections and never for a writer's. A read that cannot get a connection in
 * time fails as `READS_BUSY` (HTTP 503 with Retry-After), from `connect` and `query` alike
 * (pg-pool's `query` acquires through `connect`).
 */
export class ReadPool extends pg.Pool {
  private readonly acquireTimeoutMs: number

  constructor(target: string | DatabaseTarget, options: ReadPoolOptions, log: Logger) {
    super({
      ...clientConfig(target),
      max: options.max,
      application_name: 'millstream-reads',
      options: SESSION_OPTIONS,
      statement_timeout: options.statementTimeoutMs,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs,
      connectionTimeoutMillis: options.acquireTimeoutMs,
    })
    this.acquireTimeoutMs = options.acquireTimeoutMs
    this.on('error', (err) => log.warn({ error: err.message }, 'idle read connection failed'))
  }

  override connect(): Promise<pg.PoolClient>
  override connect(
    callback: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: unknown) => void,
    ) => void,
  ): void
  override connect(
    callback?: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: unknown) => void,
    ) => void,
  ): Promise<pg.PoolClient> | void {
    if (!callback)
      return super.connect().catch((err: unknown) => {
        throw readsBusy(err, this.acquireTimeoutMs)
      })
    super.connect((err, client, done) =>
      callback(err ? readsBusy(err, this.acquireTimeoutMs) : undefined, client, done),
    )
  }
}
