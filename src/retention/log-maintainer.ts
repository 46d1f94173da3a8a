import type { Pool } from 'pg'
import type { PgAdvisoryLock } from '../journal/advisory-lock.js'
import {
  ensurePartitions,
  listPartitions,
  TIME_PARTITIONED,
  type TimePartitionedTable,
} from '../journal/log-partitions.js'
import type { Logger } from '../logger.js'
import type { LogRetention, RetentionReport } from './log-retention.js'

/** Intervals a retention pass waits after one that found a partition it could not take. */
const BACKOFF_INTERVALS = 10

/** How long a stop waits for a retention pass to notice it should end. */
const STOP_WAIT_MS = 2000

/** One time-partitioned table as it stands. */
export type TableStatus = {
  partitions: number
  /**
   * Epoch ms of the oldest row kept (the event log: its first by position) or, for the keys,
   * where the oldest partition starts; undefined when there is none.
   */
  oldestKept: number | undefined
  /** Where its newest partition ends: rows up to here have a partition waiting. */
  coveredTo: number | undefined
  bytes: number
  /** Partitions this instance's retention dropped since it started. */
  dropped: number
}

/** What the maintainer knows after its last round. */
export type LogStatus = {
  tables: Partial<Record<TimePartitionedTable, TableStatus>>
  /** The last retention pass this instance ran (it runs on one instance at a time). */
  lastPass: RetentionReport | undefined
  lastError: string | undefined
  retentionLeader: boolean
}

export type LogMaintainerOptions = {
  spanMs: number
  intervalMs: number
  retention: LogRetention
  /** One retention pass at a time across instances. */
  leadership: PgAdvisoryLock
}

/**
 * Keeps the time-partitioned tables ahead of the clock and within their retention: every round
 * it makes the partitions the next few spans need, then (on the instance holding the lock, when
 * retention is on) runs a retention pass. A failed round is logged and the next one tries again.
 */
export class LogMaintainer {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly running = new Set<Promise<void>>()
  /** Aborts a retention pass at shutdown (its steps can all be repeated by the next). */
  private readonly halt = new AbortController()
  private readonly dropped: Partial<Record<TimePartitionedTable, number>> = {}
  private readonly current: LogStatus = {
    tables: {},
    lastPass: undefined,
    lastError: undefined,
    retentionLeader: false,
  }

  constructor(
    private readonly pool: Pool,
    private readonly options: LogMaintainerOptions,
    private readonly log: Logger,
  ) {}

  /**
   * Makes the partitions the next spans need before anything commits, then keeps two rounds
   * going on their own timers: making partitions, and retention, so that a long retention pass
   * (archiving a busy day) never holds up the partitions ahead.
   */
  async start(): Promise<void> {
    await this.partitionsRound()
    if (this.current.lastError) throw new Error(`log partitions: ${this.current.lastError}`)
    this.every('partitions', () => this.partitionsRound())
    this.every('retention', () => this.retentionRound())
  }

  status(): LogStatus {
    // What retention dropped counts at once; the rest is as of the last partitions round.
    for (const [table, t] of Object.entries(this.current.tables))
      t.dropped = this.dropped[table as TimePartitionedTable] ?? 0
    return this.current
  }

  /** Stops both rounds; a pass under way is told to stop and waited for only briefly. */
  async stop(): Promise<void> {
    this.halt.abort()
    for (const timer of this.timers.values()) clearTimeout(timer)
    // The timer is cleared (and unref'd): a pending one would hold the process's exit.
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_WAIT_MS)
        timer.unref()
      }),
    ])
    clearTimeout(timer)
    await this.options.leadership.release()
  }

  /** Runs `round` after `delayMs`, then again after the delay it resolves with (or the interval). */
  private every(
    name: string,
    round: () => Promise<number | void>,
    delayMs = this.options.intervalMs,
  ): void {
    if (this.halt.signal.aborted) return
    const timer = setTimeout(() => {
      const run = round()
        .catch(() => undefined)
        .then((next) => {
          this.running.delete(run)
          this.every(name, round, next ?? this.options.intervalMs)
        })
      this.running.add(run)
    }, delayMs)
    timer.unref()
    this.timers.set(name, timer)
  }

  private async partitionsRound(): Promise<void> {
    try {
      const made = await ensurePartitions(this.pool, this.options.spanMs, Date.now())
      if (made.length > 0) this.log.info({ made }, 'log partitions made')
      await this.refreshStatus()
      this.current.lastError = undefined
    } catch (err) {
      this.current.lastError = (err as Error).message
      this.log.warn({ err }, 'making log partitions failed; the next round tries again')
    }
  }

  /**
   * One pass on the instance holding the lock. A partition that waits for anything but the
   * followers (a snapshot that fails, an archive folder that cannot be written) is tried again
   * only after ten intervals: checking it reads the whole partition.
   */
  private async retentionRound(): Promise<number | void> {
    try {
      this.current.retentionLeader = await this.options.leadership.acquire()
      if (!this.current.retentionLeader || this.halt.signal.aborted) return
      const report = await this.options.retention.pass(Date.now(), { signal: this.halt.signal })
      this.current.lastPass = report
      for (const p of report.partitions)
        if (p.outcome === 'dropped') this.dropped[p.table] = (this.dropped[p.table] ?? 0) + 1
      const waiting = report.partitions.filter((p) => p.outcome === 'waiting')
      if (waiting.length > 0)
        this.log.warn(
          { waiting: waiting.map((p) => ({ partition: p.name, reason: p.reason })) },
          'retention waits',
        )
      if (waiting.some((p) => p.waitingFor !== 'followers'))
        return BACKOFF_INTERVALS * this.options.intervalMs
    } catch (err) {
      if (this.halt.signal.aborted) return
      this.log.warn({ err }, 'retention pass failed; the next one tries again')
      return BACKOFF_INTERVALS * this.options.intervalMs
    }
  }

  /** The first event by position: one index probe per partition. */
  private async oldestEvent(): Promise<number | undefined> {
    const r = await this.pool.query<{ at: number }>(
      'SELECT ts_to_ms(recorded_at)::float8 AS at FROM event_log ORDER BY position LIMIT 1',
    )
    return r.rows[0]?.at
  }

  private async refreshStatus(): Promise<void> {
    for (const table of Object.keys(TIME_PARTITIONED) as TimePartitionedTable[]) {
      const partitions = await listPartitions(this.pool, table)
      this.current.tables[table] = {
        partitions: partitions.length,
        oldestKept:
          table === 'event_log' ? await this.oldestEvent() : (partitions[0]?.from ?? undefined),
        coveredTo: partitions.at(-1)?.to,
        bytes: partitions.reduce((sum, p) => sum + p.bytes, 0),
        dropped: this.dropped[table] ?? 0,
      }
    }
  }
}
