import { pino } from 'pino'
import { retryWhileRetriable, type RetryOptions } from '../../../src/journal/retry'

const log = pino({ level: 'silent' })
const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
const race = Object.assign(new Error('deadlock detected'), { code: '40P01' })
const bad = Object.assign(new Error('duplicate key'), { code: '23505' })

const options = (extra: Partial<RetryOptions> = {}): RetryOptions => ({
  isRetriable: (e) => e === outage || e === race,
  attemptCap: { appliesTo: (e) => e === race, attempts: 3 },
  log,
  what: 'test work',
  minBackoffMs: 1,
  maxBackoffMs: 2,
  ...extra,
})

/** Work that fails with `errors` in turn, then returns 'done'; counts its attempts. */
function failing(...errors: Error[]) {
  const work = Object.assign(
    () => {
      work.attempts += 1
      const error = errors.shift()
      return error === undefined ? Promise.resolve('done') : Promise.reject(error)
    },
    { attempts: 0 },
  )
  return work
}

describe('retrying while a failure is retriable', () => {
  it('throws a permanent failure at once', async () => {
    const work = failing(bad)
    await expect(retryWhileRetriable(work, options())).rejects.toBe(bad)
    expect(work.attempts).toBe(1)
  })

  it('retries an outage without a cap until it ends', async () => {
    const work = failing(...Array.from({ length: 20 }, () => outage))
    await expect(retryWhileRetriable(work, options())).resolves.toBe('done')
    expect(work.attempts).toBe(21)
  })

  it('gives up on a lost race after the capped number of attempts', async () => {
    const work = failing(race, race, race, race)
    await expect(retryWhileRetriable(work, options())).rejects.toBe(race)
    expect(work.attempts).toBe(3)
  })

  it('does not count outages against the cap on lost races', async () => {
    const work = failing(race, outage, outage, outage, race)
    await expect(retryWhileRetriable(work, options())).resolves.toBe('done')
    expect(work.attempts).toBe(6)
  })

  it('tells onRetry before each retry, not for the failure it throws', async () => {
    const retried: unknown[] = []
    const work = failing(outage, race, race, race)
    const run = retryWhileRetriable(work, options({ onRetry: (e) => retried.push(e) }))
    await expect(run).rejects.toBe(race)
    expect(retried).toEqual([outage, race, race])
  })

  describe('with fake timers', () => {
    beforeEach(() => jest.useFakeTimers())
    afterEach(() => jest.useRealTimers())

    it('doubles the backoff up to its cap', async () => {
      const delays: number[] = []
      const spy = jest.spyOn(global, 'setTimeout')
      const work = failing(outage, outage, outage, outage, outage)
      const run = retryWhileRetriable(work, options({ minBackoffMs: 100, maxBackoffMs: 300 }))
      await jest.runAllTimersAsync()
      await expect(run).resolves.toBe('done')
      for (const call of spy.mock.calls) delays.push(call[1] as number)
      expect(delays).toEqual([100, 200, 300, 300, 300])
      spy.mockRestore()
    })

    it('stops waiting the moment the signal aborts, with its reason', async () => {
      const controller = new AbortController()
      const work = failing(...Array.from({ length: 1000 }, () => outage))
      const run = retryWhileRetriable(
        work,
        options({ minBackoffMs: 60_000, maxBackoffMs: 60_000, signal: controller.signal }),
      )
      const settled = jest.fn()
      run.then(settled, settled)
      await jest.advanceTimersByTimeAsync(0)
      expect(work.attempts).toBe(1)
      const reason = new Error('shutting down')
      controller.abort(reason)
      // No timer has to fire: the wait ends on the abort itself.
      await Promise.resolve()
      await expect(run).rejects.toBe(reason)
      expect(work.attempts).toBe(1)
      expect(jest.getTimerCount()).toBe(0)
    })
  })

  it('rejects with an AbortError when aborted without a reason', async () => {
    const controller = new AbortController()
    const run = retryWhileRetriable(
      failing(...Array.from({ length: 1000 }, () => outage)),
      options({ minBackoffMs: 60_000, signal: controller.signal }),
    )
    setTimeout(() => controller.abort(), 5)
    await expect(run).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('starts no attempt once the signal has aborted', async () => {
    const work = failing()
    const reason = new Error('shutting down')
    await expect(
      retryWhileRetriable(work, options({ signal: AbortSignal.abort(reason) })),
    ).rejects.toBe(reason)
    expect(work.attempts).toBe(0)
  })

  it('keeps the result of an attempt that lands after the abort', async () => {
    const controller = new AbortController()
    const work = () =>
      new Promise<string>((resolve) => {
        controller.abort()
        setTimeout(() => resolve('committed'), 1)
      })
    await expect(retryWhileRetriable(work, options({ signal: controller.signal }))).resolves.toBe(
      'committed',
    )
  })
})
