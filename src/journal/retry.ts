import type { Logger } from '../logger.js'
import { abortReason, sleep } from '../abortable-sleep.js'

/** Failures that are retried only so often, unlike an outage that is waited out. */
export type AttemptCap = {
  appliesTo: (error: unknown) => boolean
  /** Attempts in all that may fail this way before the last failure is thrown. */
  attempts: number
}

export type RetryOptions = {
  /** Whether the work may succeed if tried again. */
  isRetriable: (error: unknown) => boolean
  attemptCap?: AttemptCap
  /** Stops retrying: a wait ends at once and the call rejects with the signal's reason. */
  signal?: AbortSignal
  /** Told before each retry. */
  onRetry?: (error: unknown) => void
  log: Logger
  what: string
  minBackoffMs?: number
  maxBackoffMs?: number
}

/**
 * Runs `work` until it succeeds, fails with an error that retrying cannot fix, fails too often
 * in a way the attempt cap counts, or the signal aborts; backing off exponentially (up to
 * `maxBackoffMs`) in between. Callers wait meanwhile: that wait is the system's backpressure.
 * An attempt already running when the signal aborts is not cut short (a commit that lands
 * still counts); no new one starts.
 */
export async function retryWhileRetriable<T>(
  work: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { minBackoffMs = 50, maxBackoffMs = 2000, signal, attemptCap } = options
  let backoff = minBackoffMs
  let cappedFailures = 0
  for (;;) {
    if (signal?.aborted) throw abortReason(signal)
    try {
      return await work()
    } catch (error) {
      if (!options.isRetriable(error)) throw error
      if (attemptCap?.appliesTo(error) && ++cappedFailures >= attemptCap.attempts) throw error
      options.onRetry?.(error)
      options.log.warn({ err: error, backoffMs: backoff }, `${options.what} failed, retrying`)
      await sleep(backoff, signal)
      backoff = Math.min(maxBackoffMs, backoff * 2)
    }
  }
}
