import { sleep } from '../abortable-sleep.js'

/** One try's result: taken, worth another try, or refused for good (a retry would not help). */
export type AttemptResult = { ok: true } | { ok: false; retriable: boolean; reason: string }

/** How a delivery ends: taken after `attempts` tries, or undeliverable with the last reason. */
export type DeliveryOutcome =
  { delivered: true; attempts: number } | { delivered: false; attempts: number; reason: string }

export type RetryPolicy = {
  /** The longest one event is tried for, waits included. */
  budgetMs: number
  /** The first wait; each later one doubles, up to `maxDelayMs`. */
  baseDelayMs: number
  maxDelayMs: number
  random?: () => number
  now?: () => number
}

/**
 * The wait before try `attempt + 1`: exponential, with jitter over its upper half so that
 * targets which failed together do not come back in step.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling * (0.5 + 0.5 * (policy.random ?? Math.random)()))
}

/**
 * Tries `attempt` until it succeeds, is refused for good, or the next wait would pass the
 * budget. An abort stops the waits and rethrows: the event was not settled and is tried again
 * by whoever follows next.
 */
export async function deliverWithRetries(
  attempt: () => Promise<AttemptResult>,
  policy: RetryPolicy,
  signal: AbortSignal,
  onRetry: () => void = () => undefined,
): Promise<DeliveryOutcome> {
  const now = policy.now ?? Date.now
  const started = now()
  for (let n = 1; ; n++) {
    const r = await attempt()
    if (r.ok) return { delivered: true, attempts: n }
    const wait = backoffDelay(n, policy)
    if (!r.retriable || now() - started + wait > policy.budgetMs)
      return { delivered: false, attempts: n, reason: r.reason }
    onRetry()
    await sleep(wait, signal)
  }
}
