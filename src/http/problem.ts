import type { Context, Next } from 'koa'
import { MillstreamError, type ErrorCode } from '../errors.js'
import type { Logger } from '../logger.js'
import { readFailure } from '../read/read-failure.js'

/** The one place where error codes become HTTP statuses. */
const STATUS: Record<ErrorCode, number> = {
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  INVALID_MESSAGE: 422,
  STORE_UNAVAILABLE: 503,
  PROCESSING_FAILED: 500,
  SHUTTING_DOWN: 503,
  RATE_LIMITED: 429,
  METHOD_NOT_ALLOWED: 405,
  PUBLISH_TIMEOUT: 503,
  PUBLISH_FAILED: 503,
  PUBLISH_REFUSED: 422,
  BOUND_REACHED: 422,
  READS_BUSY: 503,
  READ_TIMEOUT: 503,
  MISDIRECTED: 421,
  CONFLICT: 409,
}

/** Renders every error, and every unmatched route, as RFC 9457 `application/problem+json`. */
export function problemDetails(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next()
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new MillstreamError('NOT_FOUND', `no route for ${ctx.method} ${ctx.path}`)
      }
    } catch (thrown) {
      const err = readFailure(thrown)
      const known = err instanceof MillstreamError
      const status = known ? STATUS[err.code] : httpStatusOf(err)
      if (status >= 500 && known && err.retriable)
        log.warn(
          { code: err.code, detail: err.message, path: ctx.path },
          'request failed; retriable',
        )
      else if (status >= 500) log.error({ err, path: ctx.path }, 'request failed')
      else log.debug({ status, method: ctx.method, path: ctx.path }, 'client error')
      if (known && err.retryAfterSeconds !== undefined)
        ctx.set('Retry-After', String(err.retryAfterSeconds))
      ctx.status = status
      ctx.type = 'application/problem+json'
      ctx.body = {
        type: 'about:blank',
        title: titleOf(status),
        status,
        detail: known || status < 500 ? (err as Error).message : 'internal error',
        instance: ctx.path,
        ...(known ? { code: err.code } : {}),
      }
    }
  }
}

function httpStatusOf(err: unknown): number {
  const status = (err as { status?: unknown }).status
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500
}

function titleOf(status: number): string {
  const titles: Record<number, string> = {
    400: 'Bad Request',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'Not Found',
    405: 'Method Not Allowed',
    406: 'Not Acceptable',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
    421: 'Misdirected Request',
    422: 'Unprocessable Content',
    429: 'Too Many Requests',
    500: 'Internal Server Error',
    503: 'Service Unavailable',
  }
  return titles[status] ?? 'Error'
}
