import { format, table } from '../lib/table'
import type { Target } from '../lib/types'
import type { SeriesResult } from './index'

/** A week of one machine at 1m, over HTTP, should take less than this. */
const HTTP_TARGET_MS = 100
/** The follower should keep up with the service's end-to-end rate. */
const FOLLOWER_TARGET_PER_SECOND = 8000

/** The series part's console report. */
export function seriesReport(r: SeriesResult): string {
  return [
    table(
      [
        'a week of one machine at 1m',
        'buckets',
        'KB',
        'HTTP p50 ms',
        'HTTP p99 ms',
        'SQL p50 ms',
        'SQL p99 ms',
      ],
      [
        ['telemetry (one metric)', r.telemetry],
        ['oee', r.oee],
      ].map(([name, x]) => {
        const t = x as SeriesResult['oee']
        return [
          name as string,
          t.buckets,
          Math.round(t.bytes / 1024),
          t.http.p50,
          t.http.p99,
          t.sql.p50,
          t.sql.p99,
        ]
      }),
    ),
    `rollups: ${format(r.machines)} machines × ${r.days} days, ${format(r.rollupRows)} minute rows; SQL = the query and its rows shaped, in the bench's process (no HTTP).`,
    `follower: ${format(r.follower.events)} events committed at once, rolled up in ${r.follower.seconds} s = ${format(r.follower.perSecond)} events/s.`,
  ].join('\n')
}

export function seriesTargets(r: SeriesResult): Target[] {
  return [
    ...(['telemetry', 'oee'] as const).map((kind) => ({
      what: `GET a week of one machine at 1m (${kind}), p99`,
      goal: `< ${HTTP_TARGET_MS} ms`,
      measured: `${r[kind].http.p99} ms (p50 ${r[kind].http.p50} ms)`,
      met: r[kind].http.p99 < HTTP_TARGET_MS,
    })),
    {
      what: 'series follower throughput',
      goal: `≥ ${format(FOLLOWER_TARGET_PER_SECOND)} events/s`,
      measured: `${format(r.follower.perSecond)} events/s`,
      met: r.follower.perSecond >= FOLLOWER_TARGET_PER_SECOND,
    },
  ]
}

/** What makes a series run invalid whatever its speed. */
export function seriesProblems(r: SeriesResult): string[] {
  const found: string[] = []
  if (r.telemetry.buckets === 0 || r.oee.buckets === 0)
    found.push('series: a read returned no buckets')
  if (r.follower.perSecond <= 0) found.push('series: the follower applied nothing')
  return found
}
