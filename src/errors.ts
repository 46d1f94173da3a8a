/** Every error code millstream raises on purpose; the HTTP layer maps these to statuses. */
export type ErrorCode =
  | 'NOT_FOUND'
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'INVALID_MESSAGE'
  | 'STORE_UNAVAILABLE'
  | 'PROCESSING_FAILED'
  | 'SHUTTING_DOWN'
  | 'RATE_LIMITED'
  | 'METHOD_NOT_ALLOWED'
  | 'PUBLISH_TIMEOUT'
  | 'PUBLISH_FAILED'
  | 'PUBLISH_REFUSED'
  | 'BOUND_REACHED'
  | 'READS_BUSY'
  | 'READ_TIMEOUT'
  | 'MISDIRECTED'
  | 'CONFLICT'

/**
 * Base error: a code, an optional cause, whether retrying may succeed and, when it may, how
 * many seconds a client should wait first (HTTP `Retry-After`).
 */
export class MillstreamError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean; retryAfterSeconds?: number } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'MillstreamError'
    this.retriable = options.retriable ?? false
    this.retryAfterSeconds = options.retryAfterSeconds
  }
  readonly retriable: boolean
  readonly retryAfterSeconds: number | undefined
}
