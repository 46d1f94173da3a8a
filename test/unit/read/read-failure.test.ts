import { MillstreamError } from '../../../src/errors'
import { readFailure, readsBusy } from '../../../src/read/read-failure'

describe('read failures', () => {
  it('turns a statement cancelled by its deadline (57014) into READ_TIMEOUT with a retry delay', () => {
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), {
      code: '57014',
    })
    const mapped = readFailure(cancelled)
    expect(mapped).toBeInstanceOf(MillstreamError)
    expect((mapped as MillstreamError).code).toBe('READ_TIMEOUT')
    expect((mapped as MillstreamError).retryAfterSeconds).toBeGreaterThan(0)
    expect((mapped as MillstreamError).cause).toBe(cancelled)
  })

  it('passes every other failure unchanged', () => {
    const other = Object.assign(new Error('no such column'), { code: '42703' })
    expect(readFailure(other)).toBe(other)
    const known = new MillstreamError('NOT_FOUND', 'gone')
    expect(readFailure(known)).toBe(known)
    expect(readFailure(undefined)).toBeUndefined()
  })

  it('names the wait in a refusal for want of a connection', () => {
    const busy = readsBusy(new Error('timeout exceeded when trying to connect'), 2000)
    expect(busy.code).toBe('READS_BUSY')
    expect(busy.retriable).toBe(true)
    expect(busy.message).toContain('2000 ms')
  })
})
