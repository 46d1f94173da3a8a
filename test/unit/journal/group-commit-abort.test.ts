import { pino } from 'pino'
import { GroupCommitter } from '../../../src/journal/group-commit'

const log = pino({ level: 'silent' })
const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
const race = Object.assign(new Error('deadlock detected'), { code: '40P01' })

describe('group commit with an abort signal and an attempt cap', () => {
  it('rejects every waiting request with the reason once aborted, and later ones at once', async () => {
    const controller = new AbortController()
    let flushes = 0
    const committer = new GroupCommitter<string, string>({
      flush: () => {
        flushes += 1
        return Promise.reject(outage)
      },
      maxBatch: 2,
      isRetriable: (e) => e === outage,
      signal: controller.signal,
      log,
    })
    const pending = ['a', 'b', 'c'].map((x) => committer.submit(x).catch((e: unknown) => e))
    await new Promise((r) => setTimeout(r, 200))
    const reason = new Error('shutting down')
    controller.abort(reason)
    expect(await Promise.all(pending)).toEqual([reason, reason, reason])
    const attemptsAtAbort = flushes
    await expect(committer.submit('d')).rejects.toBe(reason)
    await committer.idle()
    // Neither the batch split nor the later request tried the store again.
    expect(flushes).toBe(attemptsAtAbort)
  })

  it('gives up on a batch that keeps losing races, then on each request alone', async () => {
    const sizes: number[] = []
    const committer = new GroupCommitter<string, string>({
      flush: (batch) => {
        sizes.push(batch.length)
        return Promise.reject(race)
      },
      maxBatch: 10,
      isRetriable: (e) => e === race,
      attemptCap: { appliesTo: (e) => e === race, attempts: 2 },
      log,
    })
    const results = await Promise.all(
      ['a', 'b'].map((x) => committer.submit(x).catch((e: unknown) => e)),
    )
    expect(results).toEqual([race, race])
    expect(sizes).toEqual([2, 2, 1, 1, 1, 1])
    expect(committer.stats().retries).toBe(3)
  })
})
