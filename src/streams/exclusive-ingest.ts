import { withTimeout } from '../deadline.js'
import type { Logger } from '../logger.js'

/** Longest a connect and subscribe may take (mqtt.js itself gives up connecting after 10 s). */
const CONNECT_DEADLINE_MS = 15_000

/** A lock of which one instance at a time is the holder (PostgreSQL in production). */
export interface SessionLock {
  acquire(): Promise<boolean>
  /** Whether the lock still stands, answered within `timeoutMs`. */
  verify(timeoutMs: number): Promise<boolean>
  release(): Promise<void>
}

/** The source as the gate drives it. */
export interface GatedSource {
  start(): Promise<void>
  abandon(): void
  stop(): Promise<void>
}

export type IngestRole = 'active' | 'standby'

/**
 * Holds an MQTT session only while holding its lock, so two instances with one client id never
 * take the session from each other (each connect would throw the other out, once a second).
 * A standby tries the lock every `pollMs`; the holder checks it as often and lets the session
 * go at once when it cannot. A holder that dies loses its database connection and with it the
 * lock, so a standby takes over within about `pollMs` plus a connect; the broker kept the
 * persistent session's messages meanwhile.
 */
export class ExclusiveIngest {
  private timer: NodeJS.Timeout | undefined
  private active = false
  private stopped = false
  private turn: Promise<void> = Promise.resolve()

  constructor(
    private readonly lock: SessionLock,
    private readonly source: GatedSource,
    private readonly options: { pollMs: number; onRoleChange?: (role: IngestRole) => void },
    private readonly log: Logger,
  ) {}

  /**
   * Takes the session now if the lock is free (a broker that cannot be reached then fails the
   * start, as it would without the lock), then keeps trying or checking.
   */
  async start(): Promise<void> {
    if (await this.lock.acquire()) await this.connect()
    this.schedule()
  }

  role(): IngestRole {
    return this.active ? 'active' : 'standby'
  }

  /** Stops trying; the holder stops its source (draining it) and lets the lock go. */
  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.turn
    if (this.active) await this.source.stop()
    await this.lock.release()
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = setTimeout(() => {
      this.turn = this.step().finally(() => this.schedule())
    }, this.options.pollMs)
    this.timer.unref()
  }

  private async step(): Promise<void> {
    try {
      if (this.active) {
        if (await this.lock.verify(this.options.pollMs)) return
        this.log.error('lost the ingest lock; letting the MQTT session go')
        this.source.abandon()
        this.setActive(false)
        return
      }
      if (this.stopped || !(await this.lock.acquire())) return
      await this.connect()
    } catch (err) {
      this.log.warn({ err }, 'ingest lock step failed; trying again')
    }
  }

  /** With the lock held: connects the session, or lets the lock go again. */
  private async connect(): Promise<void> {
    this.log.info('took the ingest lock; connecting the MQTT session')
    try {
      await withTimeout(this.source.start(), CONNECT_DEADLINE_MS)
      this.setActive(true)
    } catch (err) {
      this.source.abandon()
      await this.lock.release()
      throw err
    }
  }

  private setActive(active: boolean): void {
    if (this.active === active) return
    this.active = active
    this.options.onRoleChange?.(this.role())
  }
}
