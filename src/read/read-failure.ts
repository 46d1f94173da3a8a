import { MillstreamError } from '../errors.js'

/** SQLSTATE 57014 query_canceled: what PostgreSQL reports when `statement_timeout` passes. */
const QUERY_CANCELED = '57014'

/** Seconds a client is asked to wait after a read was refused for want of time or connections. */
export const READ_RETRY_AFTER_SECONDS = 2

/**
 * The one place where a read's failure for want of time or connections becomes a typed error:
 * a statement cancelled by its deadline is `READ_TIMEOUT`, anything else passes unchanged (the
 * read pool turns its own acquisition failures into `READS_BUSY` where they happen).
 */
export function readFailure(error: unknown): unknown {
  if (error instanceof MillstreamError) return error
  const code = (error as { code?: unknown } | null | undefined)?.code
  if (code === QUERY_CANCELED) {
    return new MillstreamError(
      'READ_TIMEOUT',
      'the read ran past its deadline (READ_STATEMENT_TIMEOUT_MS); narrow it (key, type, from/to, limit) or retry later',
      { cause: error, retriable: true, retryAfterSeconds: READ_RETRY_AFTER_SECONDS },
    )
  }
  return error
}

/** The read pool had no connection to give within its deadline (all busy, or none to open). */
export function readsBusy(cause: unknown, waitedMs: number): MillstreamError {
  return new MillstreamError(
    'READS_BUSY',
    `no read connection within ${waitedMs} ms: the API's reads are busy; retry later`,
    { cause, retriable: true, retryAfterSeconds: READ_RETRY_AFTER_SECONDS },
  )
}
