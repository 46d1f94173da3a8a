import type { LoadProcess } from '../load/load-process'
import { between, sleep, takeSample, type Sample } from './sampler'

/** How often the loop reads progress (a /metrics scrape: cheap, but not free for the service). */
const TICK_MS = 250

export type ThroughputOptions = {
  load: LoadProcess
  /** Messages fully handled so far by the system under test. */
  done: () => Promise<number>
  /** Processes whose CPU use is reported, by name. */
  pids: Record<string, number>
  warmupSeconds: number
  seconds: number
  /** Messages allowed ahead of `done`: enough to keep the system busy, no more. */
  backlog: number
}

export type ThroughputWindow = ReturnType<typeof between> & {
  /** Messages handled in each whole second of the window (shows it was sustained). */
  perSecondSeries: number[]
}

/**
 * Sustained throughput, closed loop: the load process may run `backlog` messages ahead of
 * what is done, so the system always has work but the publisher never burns CPU on a queue
 * that only grows. Measured over `seconds` after `warmupSeconds`.
 */
export async function measureThroughput(options: ThroughputOptions): Promise<ThroughputWindow> {
  const { load, done, pids } = options
  const tick = async (): Promise<number> => {
    const n = await done()
    load.allow(n + options.backlog)
    return n
  }
  const started = Date.now()
  while (Date.now() - started < options.warmupSeconds * 1000) {
    await tick()
    await sleep(TICK_MS)
  }
  const first = await takeSample(tick, pids)
  const seconds: Sample[] = [first]
  let last = first
  while (last.at - first.at < options.seconds * 1000) {
    await sleep(TICK_MS)
    const n = await tick()
    if (Date.now() - (seconds.at(-1)?.at ?? 0) >= 1000) {
      last = await takeSample(() => Promise.resolve(n), pids)
      seconds.push(last)
    }
  }
  const series = seconds.slice(1).map((s, i) => s.count - (seconds[i]?.count ?? 0))
  return { ...between(first, last), perSecondSeries: series }
}

/** Stops new work and waits until everything published is done (or `timeoutMs` passes). */
export async function drain(
  load: LoadProcess,
  done: () => Promise<number>,
  timeoutMs = 120_000,
): Promise<{ published: number; done: number }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const n = await done()
    const { published, acked, failed } = load.latest
    if ((acked + failed >= published && n >= acked) || Date.now() > deadline) {
      return { published: acked, done: n }
    }
    await sleep(200)
  }
}
