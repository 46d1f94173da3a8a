import type { DeadLetter, MachineView } from './api-types.js'

/** What the header shows about the live connection. */
export type LinkStatus = 'connecting' | 'live' | 'reconnecting' | 'offline'

export type LiveHandlers = {
  /** Machines that changed since the last frame, the latest view of each. */
  machines(views: MachineView[]): void
  deadLetter(letter: DeadLetter): void
  /** The stream could not resume where it was: every list must be loaded again. */
  reset(): void
  status(status: LinkStatus): void
}

const STREAM = '/api/v1/stream'
/** How long the first `hello` is awaited before the page loads its lists without it. */
const HELLO_DEADLINE_MS = 5_000
const RETRY_MIN_MS = 1_000
const RETRY_MAX_MS = 30_000

/**
 * The stream of committed changes, `/api/v1/stream`. The browser's EventSource retries a
 * dropped connection itself (sending Last-Event-ID); when the service refuses one outright
 * the stream is closed for good, so it is opened again here, resuming from the last id seen.
 * Machine updates are held until the next animation frame and applied together, the latest
 * per machine, so a burst for 1,000 machines costs one pass over the tiles that changed.
 */
export class LiveStream {
  private source: EventSource | undefined
  private lastEventId: string | undefined
  private pending = new Map<string, MachineView>()
  private frame: number | undefined
  private retryMs = RETRY_MIN_MS
  private held = true
  private readonly helloSeen: Promise<void>
  private sawHello: () => void = () => undefined

  constructor(private readonly on: LiveHandlers) {
    this.helloSeen = new Promise((resolve) => (this.sawHello = resolve))
  }

  /** Opens the stream; resolves at its first `hello`, or after a deadline without one. */
  start(): Promise<void> {
    this.open()
    return Promise.race([
      this.helloSeen,
      new Promise<void>((resolve) => setTimeout(resolve, HELLO_DEADLINE_MS)),
    ])
  }

  /** Holds machine updates (while lists load) or lets them through (once they have). */
  hold(held: boolean): void {
    this.held = held
    if (!held && this.pending.size > 0) this.schedule()
  }

  private open(): void {
    this.on.status(this.lastEventId === undefined ? 'connecting' : 'reconnecting')
    const url = this.lastEventId
      ? `${STREAM}?lastEventId=${encodeURIComponent(this.lastEventId)}`
      : STREAM
    const source = new EventSource(url)
    this.source = source
    source.addEventListener('hello', (e) => {
      this.seen(e)
      this.retryMs = RETRY_MIN_MS
      this.on.status('live')
      this.sawHello()
    })
    source.addEventListener('machine', (e) => {
      this.seen(e)
      const { machine } = JSON.parse(e.data as string) as { machine: MachineView }
      this.pending.set(machine.machineId, machine)
      this.schedule()
    })
    source.addEventListener('deadletter', (e) => {
      this.seen(e)
      this.on.deadLetter(JSON.parse(e.data as string) as DeadLetter)
    })
    source.addEventListener('reset', (e) => {
      this.seen(e)
      this.pending.clear()
      this.on.reset()
    })
    source.addEventListener('open', () => this.on.status('live'))
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CONNECTING) return this.on.status('reconnecting')
      source.close()
      this.on.status('offline')
      setTimeout(() => this.open(), this.retryMs)
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2)
    })
  }

  private seen(e: MessageEvent): void {
    if (e.lastEventId) this.lastEventId = e.lastEventId
  }

  private schedule(): void {
    if (this.held || this.frame !== undefined) return
    this.frame = requestAnimationFrame(() => {
      this.frame = undefined
      const views = [...this.pending.values()]
      this.pending.clear()
      this.on.machines(views)
    })
  }
}
