import type pg from 'pg'
import { PgAdvisoryLock } from '../../journal/advisory-lock.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import { CommittedSeriesEvents } from '../../series/committed-events.js'
import { sweepOnce } from '../../series/retention.js'
import { RollupStore } from '../../series/rollup-store.js'
import { SeriesFollower } from '../../series/series-follower.js'
import type { Config } from '../config.js'

/** The follower's name for its place in the log (`relay_offsets`). */
export const SERIES_FOLLOWER_NAME = 'series'

/** Deadline of each statement the follower runs (reads, one batch's write, one sweep step). */
const STATEMENT_DEADLINE_MS = 30_000
/**
 * At most one batch per this long: a second keeps a chart's last minute current, and lets a
 * batch fold many messages of a machine into one row per rollup.
 */
const POLL_MS = 1000
/** How often a standby tries the leadership. */
const STANDBY_MS = 2000
/** Rows deleted per table and sweep step. */
const SWEEP_BATCH = 10_000

/**
 * The time series follower: rolls the committed log up into the chart tables and keeps them
 * within their retention. One leader per database (an advisory lock); the cursor lives beside
 * the relays' in `relay_offsets`.
 */
export function seriesFollower(
  config: Config,
  pool: pg.Pool,
  log: Logger,
): Component<SeriesFollower> {
  const { series } = config
  const retention = {
    rawMs: series.rawRetentionMs,
    minuteMs: series.minuteRetentionMs,
    hourMs: series.hourRetentionMs,
  }
  const follower = new SeriesFollower(
    new PgAdvisoryLock(pool, 'millstream-series'),
    new CommittedSeriesEvents(pool, STATEMENT_DEADLINE_MS),
    new RollupStore(pool, SERIES_FOLLOWER_NAME, STATEMENT_DEADLINE_MS),
    {
      batch: series.batch,
      pollMs: POLL_MS,
      standbyMs: STANDBY_MS,
      retention,
      sweepIntervalMs: series.sweepIntervalMs,
      sweep: (now) => sweepOnce(pool, retention, now, SWEEP_BATCH, STATEMENT_DEADLINE_MS),
    },
    log.child({ module: 'series-follower' }),
  )
  return {
    name: 'series follower',
    start: () => {
      follower.start()
      return Promise.resolve(follower)
    },
    stop: () => follower.stop(),
    checks: () => {
      // A failed batch is retried; the charts lag meanwhile, the service itself is sound.
      const { leader, lastError } = follower.status()
      const detail = lastError ? `retrying: ${lastError}` : leader ? 'leader' : 'standby'
      return Promise.resolve({ series: { ok: true, detail } })
    },
  }
}
