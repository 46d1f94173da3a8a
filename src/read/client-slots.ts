import { MillstreamError } from '../errors.js'
import { READ_RETRY_AFTER_SECONDS } from './read-failure.js'

/** A slot held: give it back once, when what it was taken for ends. */
export type Slot = { release(): void }

/**
 * Long-lived answers (streamed reads, live-stream subscribers) each held by a slot: at most
 * `total` on this instance and `perClient` per client address, so one client cannot take them
 * all. Only addresses holding a slot are kept, so the map is bounded by `total`.
 */
export class ClientSlots {
  private readonly held = new Map<string, number>()
  private count = 0

  constructor(
    private readonly what: string,
    private readonly total: number,
    private readonly perClient: number,
  ) {}

  /** Slots held right now, on this instance. */
  get size(): number {
    return this.count
  }

  /** A slot for `client`, or a `READS_BUSY` error (HTTP 503 with Retry-After) saying which cap. */
  take(client: string): Slot {
    const mine = this.held.get(client) ?? 0
    if (this.count >= this.total)
      throw this.busy(`${this.total} ${this.what} open on this instance`)
    if (mine >= this.perClient)
      throw this.busy(`${this.perClient} ${this.what} open from this client address`)
    this.held.set(client, mine + 1)
    this.count++
    let released = false
    return {
      release: () => {
        if (released) return
        released = true
        this.count--
        const left = (this.held.get(client) ?? 1) - 1
        if (left > 0) this.held.set(client, left)
        else this.held.delete(client)
      },
    }
  }

  private busy(reason: string): MillstreamError {
    return new MillstreamError('READS_BUSY', `${reason}; retry later`, {
      retriable: true,
      retryAfterSeconds: READ_RETRY_AFTER_SECONDS,
    })
  }
}
