import { format, table } from '../lib/table'
import type { Target } from '../lib/types'
import type { LimitResult, PipelineCost } from './limit'

const COLUMNS = ['process', 'PostgreSQL', 'Mosquitto', 'Kafka', 'load', 'total'] as const

/** The limit part's console report: millstream's row and the limit's, and millstream / limit. */
export function limitReport(r: LimitResult): string {
  const row = (name: string, c: PipelineCost) => [
    name,
    c.perSecond,
    ...COLUMNS.map((k) => c[k]),
    c.machineCores,
  ]
  const ratio = (k: keyof PipelineCost) => `${format(r.millstream[k] / Math.max(1, r.limit[k]))}×`
  const v = r.verified
  const g = r.limit.groupCommit
  return [
    table(
      [
        'against the limit (committed and on Kafka)',
        'messages/s',
        'µs CPU/msg process',
        'PostgreSQL',
        'Mosquitto',
        'Kafka',
        'load',
        'total',
        'machine cores',
      ],
      [
        row('millstream', r.millstream),
        row('limit pipeline', r.limit),
        ['millstream / limit', ratio('perSecond'), ...COLUMNS.map(ratio), ''],
      ],
    ),
    'limit pipeline (bench/limit/): the same services and guarantees with no domain work: MQTT QoS 1 persistent session, PUBACK once the row is committed; one row per message by idempotency key, group commits of up to 1,000 rows, 2 in flight; an outbox relay produces each row as the Avro PartProduced record, keyed by machine. JSON.parse only: no validation, actors or projections.',
    `Both measured back to back, closed loop, services counted by ${r.servicesCountedBy}; µs CPU/msg: CPU time (user + system, /proc) per message over the window; process = the millstream service or the limit process; total = process + services.`,
    `limit pipeline: group commit ${format(g.writesPerTransaction)} rows per transaction, ${format(g.msPerTransaction)} ms each; ${format(v.published)} published, ${format(v.rows)} rows, ${format(v.kafkaRecords)} records on Kafka, ${format(v.lost)} lost`,
    `ratios millstream / limit: messages/s ${format(r.ratios.messagesPerSecond)}, service CPU per message ${format(r.ratios.serviceCpuPerMessage)}×, total CPU per message ${format(r.ratios.totalCpuPerMessage)}×`,
  ].join('\n')
}

/** What makes the limit part invalid: a message lost on either side, or nothing measured. */
export function limitProblems(r: LimitResult): string[] {
  const found: string[] = []
  const v = r.verified
  if (v.lost > 0)
    found.push(
      `limit pipeline lost ${v.lost} messages (${v.published} published, ${v.rows} rows, ${v.kafkaRecords} on Kafka)`,
    )
  if (r.millstream.lost > 0)
    found.push(`millstream lost ${r.millstream.lost} messages (run against the limit)`)
  if (r.limit.perSecond <= 0) found.push('the limit pipeline processed nothing')
  if (r.millstream.perSecond <= 0) found.push('millstream processed nothing (against the limit)')
  return found
}

/** The limit has no goal of its own (its ratios are for reading): only that nothing was lost. */
export function limitTargets(r: LimitResult): Target[] {
  const v = r.verified
  return [
    {
      what: 'limit pipeline: nothing lost',
      goal: 'rows = messages acknowledged, records on Kafka ≥ rows',
      measured: `${format(v.published)} published, ${format(v.rows)} rows, ${format(v.kafkaRecords)} records`,
      met: v.lost === 0 && v.kafkaRecords >= v.rows,
    },
  ]
}
