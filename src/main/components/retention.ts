import type pg from 'pg'
import { PgAdvisoryLock } from '../../journal/advisory-lock.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { LogTableFigures } from '../../metrics.js'
import { SchemaRegistry } from '../../publish/avro/schema-registry.js'
import { LogMaintainer } from '../../retention/log-maintainer.js'
import { LogRetention } from '../../retention/log-retention.js'
import type { Config } from '../config.js'
import { kafkaRelayName } from './publish.js'
import { SERIES_FOLLOWER_NAME } from './series.js'

/** The maintainer's status as the gauges read it. */
export function logGauges(maintainer: LogMaintainer): {
  logTables: () => Record<string, LogTableFigures>
  retentionWaiting: () => Record<string, number>
} {
  return {
    logTables: () => {
      const figures: Record<string, LogTableFigures> = {}
      for (const [table, t] of Object.entries(maintainer.status().tables))
        figures[table] = {
          partitions: t.partitions,
          bytes: t.bytes,
          oldestKept: t.oldestKept,
          dropped: t.dropped,
        }
      return figures
    },
    retentionWaiting: () => {
      const waiting: Record<string, number> = {}
      for (const p of maintainer.status().lastPass?.partitions ?? [])
        if (p.waitingFor) waiting[p.waitingFor] = (waiting[p.waitingFor] ?? 0) + 1
      return waiting
    },
  }
}

/** Deadline of each statement of a retention pass (a detach waits for readers to finish). */
const STATEMENT_DEADLINE_MS = 60_000

/** Six rounds a partition, at most a minute apart: partitions are always made well ahead. */
export const maintenanceInterval = (spanMs: number): number =>
  Math.min(60_000, Math.max(1000, Math.round(spanMs / 6)))

/**
 * Retention as configured. With EVENT_RETENTION off it keeps every event and only lets
 * idempotency keys go past their window (the commit no longer looks them up).
 */
export function logRetention(config: Config, pool: pg.Pool, log: Logger): LogRetention {
  return new LogRetention(
    pool,
    {
      windows: { events: config.log.retentionMs, dedupWindow: config.log.dedupWindowMs },
      archiveDir: config.log.archiveDir,
      // Both read every event as it is committed; a partition goes once both are past it.
      followers: [
        ...(config.kafka.brokers ? [kafkaRelayName(config.kafka)] : []),
        SERIES_FOLLOWER_NAME,
      ],
      statementTimeoutMs: STATEMENT_DEADLINE_MS,
    },
    SchemaRegistry.fromDirectory(),
    config.rules,
    log.child({ module: 'retention' }),
  )
}

/**
 * The log's partitions: made ahead of the clock before anything commits, and dropped past
 * their retention. Every instance makes them (whichever commits needs them); one at a time
 * runs retention.
 */
export function logMaintenance(
  config: Config,
  pool: pg.Pool,
  log: Logger,
): Component<LogMaintainer> {
  const maintainer = new LogMaintainer(
    pool,
    {
      spanMs: config.log.partitionMs,
      intervalMs: maintenanceInterval(config.log.partitionMs),
      retention: logRetention(config, pool, log),
      leadership: new PgAdvisoryLock(pool, 'millstream-retention'),
    },
    log.child({ module: 'log-maintenance' }),
  )
  return {
    name: 'log maintenance',
    start: async () => {
      await maintainer.start()
      return maintainer
    },
    stop: () => maintainer.stop(),
    checks: () => {
      const status = maintainer.status()
      const events = status.tables.event_log
      // Ready while the next span has its partition; retention waiting is reported, not fatal.
      const ahead =
        events?.coveredTo !== undefined && events.coveredTo > Date.now() + config.log.partitionMs
      const waiting = status.lastPass?.partitions.find((p) => p.outcome === 'waiting')
      const parts = [
        `${events?.partitions ?? 0} partitions`,
        ...(events?.oldestKept !== undefined
          ? [`oldest kept ${new Date(events.oldestKept).toISOString()}`]
          : []),
        ...(events ? [`${events.bytes} bytes`] : []),
        config.log.retentionMs === undefined
          ? 'retention off'
          : waiting
            ? `retention waits: ${waiting.name} ${waiting.reason}`
            : status.retentionLeader
              ? 'retention up to date'
              : 'retention on another instance',
        ...(status.lastError ? [`last round failed: ${status.lastError}`] : []),
      ]
      return Promise.resolve({ 'event log': { ok: ahead, detail: parts.join('; ') } })
    },
  }
}
