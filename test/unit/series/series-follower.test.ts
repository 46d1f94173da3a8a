import { pino } from 'pino'
import { SeriesFencedError } from '../../../src/series/rollup-store'
import { SeriesFollower, type SeriesFollowerOptions } from '../../../src/series/series-follower'
import { waitFor } from '../../../harness/services'
import {
  LeadershipDouble,
  LOG_START,
  SeriesLogDouble,
  SeriesSinkDouble,
  type SeriesTrace,
} from '../../doubles/series-doubles'

const log = pino({ level: 'silent' })
const DAY = 86_400_000

describe('the series follower', () => {
  let trace: SeriesTrace
  let source: SeriesLogDouble
  let sink: SeriesSinkDouble
  let leadership: LeadershipDouble
  let follower: SeriesFollower | undefined

  beforeEach(() => {
    trace = []
    source = new SeriesLogDouble(trace)
    sink = new SeriesSinkDouble(trace)
    leadership = new LeadershipDouble()
  })
  afterEach(async () => {
    await follower?.stop()
    follower = undefined
  })

  const start = (options: Partial<SeriesFollowerOptions> = {}): SeriesFollower => {
    follower = new SeriesFollower(
      leadership,
      source,
      sink,
      {
        batch: 3,
        pollMs: 5,
        standbyMs: 5,
        retention: { rawMs: DAY, minuteMs: DAY, hourMs: 30 * DAY },
        sweepIntervalMs: 60_000,
        sweep: () => Promise.resolve(false),
        ...options,
      },
      log,
    )
    follower.start()
    return follower
  }
  const until = (what: string, check: () => boolean) =>
    waitFor(what, () => Promise.resolve(check() || undefined), 5000, 5)

  it('applies batches in commit order, each with the cursor past it', async () => {
    source.commit('m1', 4)
    source.commit('m2', 3)
    const f = start()
    await until('seven events applied', () => f.status().applied === 7)
    const c = (n: number) => source.events[n - 1]?.cursor
    expect(sink.applied).toEqual([
      { from: LOG_START, to: c(3), readings: 3 },
      { from: c(3), to: c(6), readings: 3 },
      { from: c(6), to: c(7), readings: 1 },
    ])
    expect(sink.saved).toEqual(c(7))
    expect(await f.lag()).toBe(0)
  })

  it('retries a failing sink with growing waits, re-reading the cursor and the clocks', async () => {
    source.commit('m1', 2)
    sink.failNext(new Error('database gone'), new Error('database gone'))
    const f = start()
    await until('a failure reported', () => f.status().lastError === 'database gone')
    await until('the batch applied', () => sink.applied.length === 1)
    expect(sink.attempts).toHaveLength(3)
    expect(sink.attempts.map((a) => a.from)).toEqual([LOG_START, LOG_START, LOG_START])
    const [first, second, third] = sink.attempts.map((a) => a.at) as [number, number, number]
    expect(third - second).toBeGreaterThan(second - first)
    // Nothing cached is trusted after a failure: each try read the cursor and clocks again.
    expect(sink.cursorReads).toBe(3)
    expect(sink.clockReads).toEqual([['m1'], ['m1'], ['m1']])
    expect(f.status().lastError).toBeUndefined()
    expect(f.status().applied).toBe(2)
  })

  it('stops rolling up while another instance leads, and starts again from the stored cursor', async () => {
    source.commit('m1', 2)
    const f = start()
    await until('the first events applied', () => f.status().applied === 2)
    leadership.available = false
    await until('leadership seen lost', () => !f.status().leader)
    // Another instance rolls up meanwhile and moves the stored cursor.
    source.commit('m1', 2)
    const other = source.events[3]?.cursor
    sink.saved = other ?? LOG_START
    source.commit('m1', 1)
    const reads = source.reads
    await until('a few tries of the leadership', () => leadership.acquires > 5)
    expect(source.reads).toBe(reads)
    expect(await f.lag()).toBeUndefined()

    const cursorReads = sink.cursorReads
    leadership.available = true
    await until('the last event applied', () => f.status().applied === 3)
    expect(sink.cursorReads).toBe(cursorReads + 1)
    expect(sink.applied.at(-1)).toEqual({ from: other, to: source.events[4]?.cursor, readings: 1 })
    expect(sink.clockReads).toEqual([['m1'], ['m1']])
  })

  it('lets the leadership go when fenced by another instance', async () => {
    source.commit('m1', 1)
    sink.failNext(new SeriesFencedError())
    const f = start()
    await until('the batch applied after the fence', () => sink.applied.length === 1)
    expect(leadership.releases).toBe(1)
    expect(f.status().leader).toBe(true)
  })

  it('sweeps retention between batches, never during one, again while more remains', async () => {
    let now = 1_000_000
    const sweeps: number[] = []
    let remaining = 2
    source.commit('m1', 7)
    const f = start({
      now: () => now,
      sweep: (at) => {
        sweeps.push(at)
        trace.push('sweep')
        remaining -= 1
        return Promise.resolve(remaining > 0)
      },
    })
    await until('seven events applied', () => f.status().applied === 7)
    // Two sweeps back to back while the first said more remained, then none until the interval.
    expect(sweeps).toEqual([now, now])
    now += 60_000
    await until('a sweep after the interval', () => sweeps.length === 3)
    expect(sweeps[2]).toBe(now)
    // A sweep never falls between the start and the end of a batch's write.
    const writes = trace.filter((t) => t !== 'next')
    for (let i = 0; i < writes.length; i++)
      if (writes[i] === 'apply') expect(writes[i + 1]).toBe('applied')
  })

  it('stops after the batch in hand and lets the leadership go', async () => {
    source.commit('m1', 3)
    const held = sink.hold()
    const f = start()
    await held.entered
    let stopped = false
    const stopping = f.stop().then(() => (stopped = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(stopped).toBe(false)
    expect(leadership.releases).toBe(0)
    held.release()
    await stopping
    follower = undefined
    expect(sink.applied).toHaveLength(1)
    expect(leadership.releases).toBe(1)
    const reads = source.reads
    source.commit('m1', 1)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(source.reads).toBe(reads)
  })
})
