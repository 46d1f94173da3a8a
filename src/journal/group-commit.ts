import type { Logger } from '../logger.js'
import { type AttemptCap, retryWhileRetriable } from './retry.js'

export type GroupCommitOptions<Req, Res> = {
  /** Commits a batch in one transaction; returns one result per request, in order. */
  flush: (batch: Req[]) => Promise<Res[]>
  /** Upper bound on requests per transaction. */
  maxBatch: number
  /**
   * Transactions in flight at once (default 1). More than one suits callers that never have
   * two requests for the same row pending at once, as entity actors (one write in flight each).
   */
  concurrency?: number
  /** Whether a failed flush may succeed if tried again (e.g. the database went away). */
  isRetriable: (error: unknown) => boolean
  /** Retriable failures that may recur only so often before the flush counts as failed. */
  attemptCap?: AttemptCap
  /** Ends the retries (at shutdown): the requests waiting on them are rejected with its reason. */
  signal?: AbortSignal
  log: Logger
  /** Told after each successful transaction: how many writes it held and how long it took. */
  onCommit?: (size: number, seconds: number) => void
}

type Pending<Req, Res> = { req: Req; resolve: (r: Res) => void; reject: (e: unknown) => void }

/**
 * Group commit: requests that arrive while a transaction is running are committed together in
 * the next one, so the batch grows with load and latency stays at about one commit when idle.
 * At most `concurrency` transactions run at a time. Retriable failures are retried with backoff
 * until they succeed, the attempt cap gives up on them or the signal aborts (the callers wait:
 * that is the backpressure); any other failure is narrowed down by committing the batch's
 * requests one by one, so a single bad request fails alone. Once aborted, every request fails
 * with the abort's reason.
 */
export class GroupCommitter<Req, Res> {
  private queue: Pending<Req, Res>[] = []
  private readonly running = new Set<Promise<void>>()
  private commitsTotal = 0
  private retriesTotal = 0

  constructor(private readonly options: GroupCommitOptions<Req, Res>) {}

  submit(req: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.queue.push({ req, resolve, reject })
      if (this.running.size < (this.options.concurrency ?? 1)) {
        const drain: Promise<void> = this.drain().finally(() => this.running.delete(drain))
        this.running.add(drain)
      }
    })
  }

  /** Resolves when every submitted request has been settled. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running)
  }

  stats(): { queued: number; commits: number; retries: number } {
    return { queued: this.queue.length, commits: this.commitsTotal, retries: this.retriesTotal }
  }

  private async drain(): Promise<void> {
    // Yield once, so requests submitted in the same tick share this transaction.
    await Promise.resolve()
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch)
      await this.commitBatch(batch)
    }
  }

  private async commitBatch(batch: Pending<Req, Res>[]): Promise<void> {
    const results = await this.flushWithRetry(batch)
    if (results.ok) {
      batch.forEach((p, i) => p.resolve(results.values[i] as Res))
      return
    }
    if (batch.length === 1 || this.options.signal?.aborted) {
      batch.forEach((p) => p.reject(results.error))
      return
    }
    for (const one of batch) await this.commitBatch([one])
  }

  private async flushWithRetry(
    batch: Pending<Req, Res>[],
  ): Promise<{ ok: true; values: Res[] } | { ok: false; error: unknown }> {
    const started = performance.now()
    try {
      const values = await retryWhileRetriable(() => this.options.flush(batch.map((p) => p.req)), {
        isRetriable: this.options.isRetriable,
        attemptCap: this.options.attemptCap,
        signal: this.options.signal,
        onRetry: () => {
          this.retriesTotal += 1
        },
        log: this.options.log,
        what: `commit of ${batch.length}`,
      })
      this.commitsTotal += 1
      this.options.onCommit?.(batch.length, (performance.now() - started) / 1000)
      return { ok: true, values }
    } catch (error) {
      return { ok: false, error }
    }
  }
}
