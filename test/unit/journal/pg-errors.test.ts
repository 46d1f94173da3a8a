import { DatabaseError } from 'pg'
import { classifyPgError, isRetriablePgError, type PgFailure } from '../../../src/journal/pg-errors'
import { MillstreamError } from '../../../src/errors'

/** An error as the server reports it: a DatabaseError carrying its SQLSTATE. */
function fromServer(code: string): DatabaseError {
  return Object.assign(new DatabaseError('from the server', 0, 'error'), { code })
}

/** A socket error as node reports it. */
function fromSocket(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' })
}

/** What the server may report, by what the journal does about it. */
const BY_CLASS: Record<PgFailure, string[]> = {
  connection: [
    '08006 connection_failure',
    '08001 unable to establish a connection',
    '57P01 admin_shutdown',
    '57P02 crash_shutdown',
    '57P03 cannot_connect_now',
    '53300 too_many_connections',
    '53100 disk_full',
    '57014 query_canceled',
    '58030 io_error',
  ],
  conflict: [
    '40001 serialization_failure',
    '40P01 deadlock_detected',
    '40003 statement_completion_unknown',
  ],
  permanent: [
    '22P02 invalid_text_representation (data)',
    '23505 unique_violation (integrity)',
    '23514 check_violation (integrity)',
    '42601 syntax_error',
    '42P01 undefined_table',
    '0A000 feature_not_supported',
  ],
}

describe('classifying database failures by SQLSTATE and error class', () => {
  it.each(
    Object.entries(BY_CLASS).flatMap(([expected, states]) =>
      states.map((state) => [state, expected] as const),
    ),
  )('SQLSTATE %s: %s', (state, expected) => {
    expect(classifyPgError(fromServer(state.slice(0, 5)))).toBe(expected)
  })

  it.each(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'])(
    'waits out a broken link: %s',
    (code) => {
      expect(classifyPgError(fromSocket(code))).toBe('connection')
    },
  )

  it("waits out pg's own lost connection, a plain Error without a code", () => {
    // What pg raises when the server closes the socket (the message is not what is read).
    expect(classifyPgError(new Error('Connection terminated unexpectedly'))).toBe('connection')
    expect(classifyPgError(new Error('any wording at all'))).toBe('connection')
  })

  it('reads the code, not the message: a server error mentioning a lost connection is still permanent', () => {
    const error = Object.assign(new DatabaseError('Connection terminated', 0, 'error'), {
      code: '23505',
    })
    expect(classifyPgError(error)).toBe('permanent')
  })

  it('gives up on failures that are not the driver: subclasses, coded errors, non-errors', () => {
    expect(classifyPgError(new TypeError('Connection terminated'))).toBe('permanent')
    expect(classifyPgError(new MillstreamError('PROCESSING_FAILED', 'bad write'))).toBe('permanent')
    expect(classifyPgError(new DatabaseError('no code', 0, 'error'))).toBe('permanent')
    expect(classifyPgError('Connection terminated')).toBe('permanent')
    expect(classifyPgError(undefined)).toBe('permanent')
  })

  it('calls connection failures and lost races retriable, the rest not', () => {
    expect(isRetriablePgError(fromServer('08006'))).toBe(true)
    expect(isRetriablePgError(fromServer('40P01'))).toBe(true)
    expect(isRetriablePgError(fromServer('23505'))).toBe(false)
  })
})
