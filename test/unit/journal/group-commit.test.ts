import { pino } from 'pino'
import { GroupCommitter } from '../../../src/journal/group-commit'

const log = pino({ level: 'silent' })
const transient = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' })

describe('group commit', () => {
  it('commits requests that arrive during a transaction together in the next one', async () => {
    const batches: number[][] = []
    const committer = new GroupCommitter<number, number>({
      flush: async (batch) => {
        batches.push(batch)
        await new Promise((r) => setTimeout(r, 10))
        return batch.map((n) => n * 2)
      },
      maxBatch: 100,
      isRetriable: () => false,
      log,
    })
    const first = Array.from({ length: 10 }, (_, i) => committer.submit(i))
    await new Promise((r) => setTimeout(r, 2))
    const later = Array.from({ length: 40 }, (_, i) => committer.submit(10 + i))
    const results = await Promise.all([...first, ...later])
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i * 2))
    // Requests of the same tick share the first transaction; the rest wait for the next.
    expect(batches).toEqual([
      Array.from({ length: 10 }, (_, i) => i),
      Array.from({ length: 40 }, (_, i) => 10 + i),
    ])
  })

  it('runs up to `concurrency` transactions at once, never more', async () => {
    let running = 0
    let most = 0
    const committer = new GroupCommitter<number, number>({
      flush: async (batch) => {
        most = Math.max(most, ++running)
        await new Promise((r) => setTimeout(r, 5))
        running--
        return batch
      },
      maxBatch: 5,
      concurrency: 2,
      isRetriable: () => false,
      log,
    })
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => committer.submit(i)))
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(most).toBe(2)
    await committer.idle()
    expect(committer.stats().queued).toBe(0)
  })

  it('never puts more than maxBatch requests in one transaction', async () => {
    const sizes: number[] = []
    const committer = new GroupCommitter<number, null>({
      flush: (batch) => {
        sizes.push(batch.length)
        return Promise.resolve(batch.map(() => null))
      },
      maxBatch: 7,
      isRetriable: () => false,
      log,
    })
    await Promise.all(Array.from({ length: 30 }, (_, i) => committer.submit(i)))
    expect(Math.max(...sizes)).toBeLessThanOrEqual(7)
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(30)
  })

  it('retries a batch while the store is unreachable, then succeeds without losing a request', async () => {
    let failures = 3
    const committer = new GroupCommitter<string, string>({
      flush: (batch) => (failures-- > 0 ? Promise.reject(transient) : Promise.resolve(batch)),
      maxBatch: 10,
      isRetriable: (e) => e === transient,
      log,
    })
    await expect(Promise.all(['a', 'b'].map((x) => committer.submit(x)))).resolves.toEqual([
      'a',
      'b',
    ])
    expect(committer.stats().retries).toBe(3)
  })

  it('isolates a request that fails for good: the rest of its batch still commits', async () => {
    const committer = new GroupCommitter<string, string>({
      flush: async (batch) => {
        await new Promise((r) => setTimeout(r, 1))
        if (batch.includes('poison')) throw new Error('check constraint violated')
        return batch
      },
      maxBatch: 10,
      isRetriable: () => false,
      log,
    })
    const first = committer.submit('warm-up')
    const rest = ['a', 'poison', 'b'].map((x) =>
      committer.submit(x).then(
        (v) => `ok:${v}`,
        (e: Error) => `failed:${e.message}`,
      ),
    )
    await first
    expect(await Promise.all(rest)).toEqual(['ok:a', 'failed:check constraint violated', 'ok:b'])
  })
})
