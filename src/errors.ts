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

/** Base error: a code, an optional cause, and whether retrying may succeed. */
export class MillstreamError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'MillstreamError'
    this.retriable = options.retriable ?? false
  }
  readonly retriable: boolean
}
