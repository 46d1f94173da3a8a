/** PostgreSQL SQLSTATE classes worth retrying: connection, resources, shutdown, conflicts. */
const RETRIABLE_CLASSES = ['08', '53', '57', '58', '40']
const RETRIABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
])

/** True when the same statement may succeed later (the server or the link was the problem). */
export function isRetriablePgError(error: unknown): boolean {
  if (!(error instanceof Error)) return true
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string') {
    if (RETRIABLE_NODE_CODES.has(code)) return true
    if (/^[0-9A-Z]{5}$/.test(code)) return RETRIABLE_CLASSES.includes(code.slice(0, 2))
  }
  // pg reports a dropped connection or a timeout without a SQLSTATE.
  return /Connection terminated|timeout|not queryable|Client has encountered a connection error/i.test(
    error.message,
  )
}
