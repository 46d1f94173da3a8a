import type { AttemptCap } from './retry.js'

/**
 * Why a statement failed, as far as retrying it goes:
 * - `connection`: the server or the link to it is away (down, restarting, out of resources). It
 *   comes back, so the statement is retried for as long as it takes: giving up would turn good
 *   input into dead letters.
 * - `conflict`: the transaction lost a race with another (serialization failure, deadlock). A new
 *   attempt usually wins; one that keeps losing is given up after a few.
 * - `permanent`: the statement or its data is wrong (data, integrity, syntax, ...); trying the
 *   same again fails the same way.
 */
export type PgFailure = 'connection' | 'conflict' | 'permanent'

/**
 * SQLSTATE classes of a server that is away or unwell: 08 connection exception, 53
 * insufficient resources (disk full, too many connections), 57 operator intervention
 * (shutting down, starting up, a cancelled statement), 58 system error (I/O).
 */
const CONNECTION_CLASSES = new Set(['08', '53', '57', '58'])
/** SQLSTATE class 40, transaction rollback: serialization failure, deadlock, ... */
const CONFLICT_CLASS = '40'
/** Node's socket and name lookup errors on the way to the server. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
])

/** Classifies by the error's `code` (a SQLSTATE or a node socket code) and class only. */
export function classifyPgError(error: unknown): PgFailure {
  const code = codeOf(error)
  if (code === undefined) return isDriverConnectionError(error) ? 'connection' : 'permanent'
  if (SOCKET_CODES.has(code)) return 'connection'
  if (!/^[0-9A-Z]{5}$/.test(code)) return 'permanent'
  if (CONNECTION_CLASSES.has(code.slice(0, 2))) return 'connection'
  if (isMissingPartition(code, error)) return 'connection'
  return code.startsWith(CONFLICT_CLASS) ? 'conflict' : 'permanent'
}

/** True when the same statement may succeed later: the server, the link or a race was the problem. */
export function isRetriablePgError(error: unknown): boolean {
  return classifyPgError(error) !== 'permanent'
}

/** True when the transaction lost a race; worth a few more attempts, not an unbounded wait. */
export function isConflictPgError(error: unknown): boolean {
  return classifyPgError(error) === 'conflict'
}

/** How the journal retries statements: outages until they end (or the signal aborts), races a few times. */
export const PG_RETRY_POLICY: {
  isRetriable: (error: unknown) => boolean
  attemptCap: AttemptCap
} = {
  isRetriable: isRetriablePgError,
  attemptCap: { appliesTo: isConflictPgError, attempts: 5 },
}

/**
 * A row whose time no partition of the log holds yet: the storage is not ready for it, as when
 * the server is away. The partition maintainer makes partitions well ahead of the clock, so this
 * is a maintainer that has fallen behind (or a clock that jumped), and it passes once it runs.
 */
function isMissingPartition(code: string, error: unknown): boolean {
  const message = (error as { message?: unknown }).message
  return (
    code === '23514' &&
    typeof message === 'string' &&
    message.startsWith('no partition of relation')
  )
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * pg 8 gives a lost connection no code and no class of its own: "Connection terminated
 * unexpectedly" (the server closed the socket), "... is not queryable" (a client that lost it
 * before), pg-pool's connect timeouts are each a plain `Error`. What sets them apart is their
 * structure: whatever the server reports is a `DatabaseError` carrying a SQLSTATE, and whatever
 * the socket reports carries node's `code`, so a plain `Error` (its prototype is `Error`'s
 * own) without a code is the driver saying the link failed. pg's few complaints about a
 * malformed query are plain too, so they would be retried until aborted; any test that sends
 * such a query shows it at once. Code of ours that fails for good throws a coded error
 * (`MillstreamError`) or a subclass, never a plain `Error`.
 */
function isDriverConnectionError(error: unknown): boolean {
  return (
    error instanceof Error && Object.getPrototypeOf(error) === Error.prototype && !('code' in error)
  )
}
