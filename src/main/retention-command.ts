import { parseArgs } from 'node:util'
import { ensurePartitions } from '../journal/log-partitions.js'
import type { Logger } from '../logger.js'
import type { PartitionVerdict, RetentionReport } from '../retention/log-retention.js'
import type { Config } from './config.js'
import { logRetention } from './components/retention.js'
import { withDatabase } from './database-commands.js'
import { usage } from './usage.js'

const iso = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? '-∞' : new Date(ms).toISOString()

const mb = (bytes: number): string => `${(bytes / 1_000_000).toFixed(1)} MB`

function describe(p: PartitionVerdict): string {
  const events = p.events === undefined ? '' : `, ${p.events} rows`
  return `${p.name} [${iso(p.from)}, ${iso(p.to)})${events}, ${mb(p.bytes)}: ${p.outcome}: ${p.reason}`
}

/** The report as lines for a person: what is kept from where, then each partition and why. */
export function formatReport(report: RetentionReport, config: Config): string[] {
  const lines = [
    config.log.retentionMs === undefined
      ? 'event_log: EVENT_RETENTION is off: every event is kept'
      : `event_log: events recorded before ${iso(report.keptFrom.event_log)} go (EVENT_RETENTION)`,
    `processed_inputs: keys recorded before ${iso(report.keptFrom.processed_inputs)} go (DEDUP_WINDOW)`,
    ...report.partitions.map(describe),
  ]
  if (report.partitions.length === 0) lines.push('nothing is past its retention')
  if (report.deadLettersDeleted > 0)
    lines.push(`dead letters deleted: ${report.deadLettersDeleted}`)
  return lines
}

/** `millstream retention [--dry-run]`: one retention pass now, or what it would do and why. */
export async function retention(config: Config, log: Logger, args: string[]): Promise<number> {
  let dryRun: boolean
  try {
    dryRun = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false } } })
      .values['dry-run']
  } catch (err) {
    return usage((err as Error).message)
  }
  return withDatabase(config, log, async (pool) => {
    if (!dryRun) await ensurePartitions(pool, config.log.partitionMs, Date.now())
    const report = await logRetention(config, pool, log).pass(Date.now(), { dryRun })
    process.stdout.write(`${formatReport(report, config).join('\n')}\n`)
    return 0
  })
}
