import path from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Check } from '../lifecycle.js'
import type { Logger } from '../logger.js'
import type { RelayStatus } from './outbox-relay.js'
import type { ParkedSummary } from './parking-lot.js'
import type { FromRelay, RelayWorkerData, ToRelay } from './relay-protocol.js'

/** A leading relay that has not caught up or published for this long is reported not ready. */
const RELAY_STALL_MS = 10_000

/**
 * The lag is a count of the log past the relay's cursor: counted at most this often, however
 * often readiness and metrics are asked, so a flood of `/readyz` costs no scan.
 */
const LAG_FRESH_MS = 5000

/**
 * How long a stop waits for the thread to finish its batch and let go of its connections
 * before ending it: past kafkajs's 30 s request timeout, so only a hung thread is cut.
 */
const STOP_DEADLINE_MS = 35_000

/** How the thread is made and how long its stop may take (tests start a double). */
export type RelayThreadHost = {
  spawn?: (data: RelayWorkerData) => Worker
  stopDeadlineMs?: number
}

/**
 * The outbox relay running in a worker thread, seen from the main thread: its latest status
 * (reported every 100 ms), its lag on request, and an orderly stop. A relay thread that dies
 * is started again, so events keep flowing.
 */
export class RelayThread {
  private worker: Worker | undefined
  private latest: RelayStatus = {
    leader: false,
    published: 0,
    connected: false,
    lastError: undefined,
    lastProgressAt: Date.now(),
    parked: { waiting: 0 },
  }
  /** Published by earlier (crashed) threads, so the count never goes back. */
  private publishedBefore = 0
  private readonly lagRequests = new Map<number, (lag: number | undefined) => void>()
  private nextId = 0
  private stopping = false
  private knownLag: { value: number | undefined; at: number } | undefined
  private counting: Promise<number | undefined> | undefined

  constructor(
    private readonly data: RelayWorkerData,
    private readonly log: Logger,
    private readonly host: RelayThreadHost = {},
  ) {}

  start(): void {
    const worker =
      this.host.spawn?.(this.data) ??
      new Worker(path.join(__dirname, 'relay-worker.js'), { workerData: this.data })
    this.worker = worker
    worker.on('message', (message: FromRelay) => this.receive(message))
    worker.on('error', (err) => this.log.error({ err }, 'relay thread failed'))
    worker.on('exit', (code) => {
      for (const answer of this.lagRequests.values()) answer(undefined)
      this.lagRequests.clear()
      // A stop before the restart has no thread to wait for.
      if (this.worker === worker) this.worker = undefined
      if (this.stopping) return
      this.log.error({ code }, 'relay thread exited; starting it again')
      this.publishedBefore += this.latest.published
      this.latest = { ...this.latest, published: 0, connected: false, leader: false }
      setTimeout(() => this.stopping || this.start(), 1000).unref()
    })
  }

  status(): RelayStatus {
    return { ...this.latest, published: this.publishedBefore + this.latest.published }
  }

  /**
   * Readiness: a standby relay (another instance leads) is healthy without a broker
   * connection. A send can hang until the broker's request timeout, so a leader that made no
   * progress for a while is failing too.
   */
  checks(): Promise<{ kafka: Check; relayLag: Check; parkedRecords: Check }> {
    const status = this.status()
    const stalled = Date.now() - status.lastProgressAt > RELAY_STALL_MS
    return Promise.resolve({
      kafka: status.leader
        ? {
            ok: status.connected && !stalled,
            detail: status.lastError ?? (stalled ? 'stalled' : 'connected'),
          }
        : { ok: true, detail: 'standby' },
      relayLag: { ok: true, detail: this.lastLag() ?? 'unknown' },
      // Named, but ready all the same: the other records flow past the parked ones.
      parkedRecords: { ok: true, detail: parkedDetail(status.parked) },
    })
  }

  /** The lag last counted, at once; a stale one starts a new count for the next caller. */
  private lastLag(): number | undefined {
    void this.lag()
    return this.knownLag?.value
  }

  /**
   * Events committed but not yet published (undefined before the relay knows its cursor), as
   * counted within the last few seconds: one count at a time, shared by every caller.
   */
  lag(): Promise<number | undefined> {
    const known = this.knownLag
    if (known && Date.now() - known.at < LAG_FRESH_MS) return Promise.resolve(known.value)
    this.counting ??= this.countLag().finally(() => (this.counting = undefined))
    return this.counting
  }

  private async countLag(): Promise<number | undefined> {
    const value = await this.askLag()
    this.knownLag = { value, at: Date.now() }
    return value
  }

  private askLag(): Promise<number | undefined> {
    const worker = this.worker
    if (!worker) return Promise.resolve(undefined)
    const id = this.nextId++
    return new Promise((resolve) => {
      this.lagRequests.set(id, resolve)
      this.send({ type: 'lag', id })
    })
  }

  /** Events were committed: the relay reads them now instead of at its next poll. */
  nudge(): void {
    this.send({ type: 'nudge' })
  }

  /**
   * Stops after the batch in hand, once the thread has let go of its connections; a thread
   * that has not by the deadline is ended.
   */
  async stop(): Promise<void> {
    this.stopping = true
    const worker = this.worker
    if (!worker) return
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
    this.send({ type: 'stop' })
    const deadlineMs = this.host.stopDeadlineMs ?? STOP_DEADLINE_MS
    const timer = setTimeout(() => {
      this.log.warn({ deadlineMs }, 'relay thread did not stop in time; ending it')
      void worker.terminate()
    }, deadlineMs)
    await exited
    clearTimeout(timer)
  }

  private send(message: ToRelay): void {
    this.worker?.postMessage(message)
  }

  private receive(message: FromRelay): void {
    switch (message.type) {
      case 'status':
        this.latest = message.status
        break
      case 'lag':
        this.lagRequests.get(message.id)?.(message.lag)
        this.lagRequests.delete(message.id)
        break
      case 'stopped':
        // Everything is closed; do not wait for a library's stray timer to let the thread go.
        void this.worker?.terminate()
        break
    }
  }
}

/** What `/readyz` says of the parked records: how many, and the newest with Kafka's reason. */
function parkedDetail(parked: ParkedSummary): string | number {
  const newest = parked.newest
  if (!newest) return parked.waiting
  return (
    `${parked.waiting} parked (GET /api/v1/parked-records); newest: ${newest.type} ` +
    `${newest.eventId} of ${newest.key}: ${newest.code}`
  )
}
