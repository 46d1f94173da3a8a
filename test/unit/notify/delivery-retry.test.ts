import {
  backoffDelay,
  deliverWithRetries,
  type AttemptResult,
  type RetryPolicy,
} from '../../../src/notify/delivery-retry'

const fail = (retriable: boolean, reason = 'HTTP 500'): AttemptResult => ({
  ok: false,
  retriable,
  reason,
})

/** Answers each try with the next result, the last one for ever after. */
function answers(...results: AttemptResult[]): {
  attempt: () => Promise<AttemptResult>
  tries: () => number
} {
  let n = 0
  return {
    attempt: () => Promise.resolve(results[Math.min(n++, results.length - 1)] ?? { ok: true }),
    tries: () => n,
  }
}

const quick: RetryPolicy = { budgetMs: 1000, baseDelayMs: 1, maxDelayMs: 4 }

describe('alarm delivery retries', () => {
  it('waits twice as long after each failure, up to the ceiling, jittered over its upper half', () => {
    const policy = { budgetMs: 0, baseDelayMs: 100, maxDelayMs: 500 }
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { ...policy, random: () => 1 }))).toEqual([
      100, 200, 400, 500,
    ])
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(200)
  })

  it('delivers on the third try after two retriable failures', async () => {
    const target = answers(fail(true), fail(true), { ok: true })
    let retries = 0
    const outcome = await deliverWithRetries(
      target.attempt,
      quick,
      new AbortController().signal,
      () => (retries += 1),
    )
    expect(outcome).toEqual({ delivered: true, attempts: 3 })
    expect(retries).toBe(2)
  })

  it('gives up at once on a refusal a retry would not change', async () => {
    const target = answers(fail(false, 'HTTP 404'))
    const outcome = await deliverWithRetries(target.attempt, quick, new AbortController().signal)
    expect(outcome).toEqual({ delivered: false, attempts: 1, reason: 'HTTP 404' })
  })

  it('gives up with the last reason once the next try would start past the budget', async () => {
    let clock = 0
    const target = answers(fail(true, 'HTTP 503'))
    const outcome = await deliverWithRetries(
      async () => {
        clock += 300
        return target.attempt()
      },
      { budgetMs: 1000, baseDelayMs: 1, maxDelayMs: 1, now: () => clock },
      new AbortController().signal,
    )
    // A try starts only within the budget: at 0, 300, 600 and 900 ms, and no fifth at 1200.
    expect(outcome).toEqual({ delivered: false, attempts: 4, reason: 'HTTP 503' })
  })

  it('stops waiting when aborted, leaving the event unsettled', async () => {
    const stop = new AbortController()
    const target = answers(fail(true))
    const pending = deliverWithRetries(
      target.attempt,
      { budgetMs: 60_000, baseDelayMs: 30_000, maxDelayMs: 30_000 },
      stop.signal,
    )
    stop.abort()
    await expect(pending).rejects.toThrow()
    expect(target.tries()).toBe(1)
  })
})
