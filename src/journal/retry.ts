import type { Logger } from '../logger.js'

export type RetryOptions = {
  isRetriable: (error: unknown) => boolean
  log: Logger
  what: string
  minBackoffMs?: number
  maxBackoffMs?: number
}

/**
 * Runs `work` until it succeeds or fails with an error that retrying cannot fix, backing off
 * exponentially in between. Callers wait meanwhile: that wait is the system's backpressure.
 */
export async function retryWhileRetriable<T>(
  work: () => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { minBackoffMs = 50, maxBackoffMs = 2000 } = options
  let backoff = minBackoffMs
  for (;;) {
    try {
      return await work()
    } catch (error) {
      if (!options.isRetriable(error)) throw error
      options.log.warn({ err: error, backoffMs: backoff }, `${options.what} failed, retrying`)
      await new Promise((r) => setTimeout(r, backoff))
      backoff = Math.min(maxBackoffMs, backoff * 2)
    }
  }
}
