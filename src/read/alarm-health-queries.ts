import type { Pool } from 'pg'
import { CHATTER } from '../domain/alarms/chattering.js'
import type { AlarmHealth, AlarmHealthReads } from './ports.js'

/** ISA-18.2 counts a standing alarm as one active for longer than a day. */
const STANDING_MS = 24 * 3_600_000

type Count = { machine_id: string; rule_id: string; n: number }

/**
 * Alarm-system health from the log's alarm events (the index on type and time serves each
 * query) and the machines' rows.
 */
export class AlarmHealthQueries implements AlarmHealthReads {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  async health(periodMs: number): Promise<AlarmHealth> {
    // One statement, so one snapshot: four statements (even in parallel) could each see a
    // different set of committed raises, and the figures would not agree with each other.
    const { rows } = await this.pool.query<{
      recent: number
      top: Count[] | null
      chattering: Count[] | null
      active: number
      standing: number
    }>(
      `WITH raised AS (
         SELECT entity_id AS machine_id, payload->>'ruleId' AS rule_id, occurred_at
           FROM event_log
          WHERE type = 'AlarmRaised' AND occurred_at >= now() - make_interval(secs => $1 / 1000.0)
       ),
       top AS (
         SELECT machine_id, rule_id, count(*)::int AS n FROM raised
          GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 10
       ),
       -- A raise whose third-last predecessor (itself included) is within the window: chattering.
       runs AS (
         SELECT machine_id, rule_id, occurred_at,
                lag(occurred_at, $2::int - 1) OVER (PARTITION BY machine_id, rule_id
                                                   ORDER BY occurred_at) AS earlier
           FROM raised
       ),
       chattering AS (
         SELECT machine_id, rule_id, count(*)::int AS n FROM runs
          WHERE occurred_at - earlier <= make_interval(secs => $3 / 1000.0)
          GROUP BY 1, 2 ORDER BY n DESC, 1, 2
       ),
       alarms AS (
         SELECT a.value AS alarm
           FROM machine_state m, jsonb_each(m.alarms->'alarms') a
          WHERE m.alarms IS NOT NULL AND a.value->>'state' <> 'cleared-unacknowledged'
       )
       SELECT (SELECT count(*)::int FROM event_log
                WHERE type = 'AlarmRaised' AND occurred_at >= now() - interval '10 minutes') AS recent,
              (SELECT json_agg(top ORDER BY n DESC, machine_id, rule_id) FROM top) AS top,
              (SELECT json_agg(chattering ORDER BY n DESC, machine_id, rule_id) FROM chattering) AS chattering,
              (SELECT count(*)::int FROM alarms) AS active,
              (SELECT count(*)::int FROM alarms WHERE (alarm->>'raisedAt')::float8 < $4) AS standing`,
      [periodMs, CHATTER.raises, CHATTER.windowMs, Date.now() - STANDING_MS],
    )
    const row = rows[0]
    const counts = (list: Count[] | null | undefined) =>
      (list ?? []).map((r) => ({ machineId: r.machine_id, ruleId: r.rule_id, raised: r.n }))
    return {
      periodMs,
      raisedLast10Minutes: row?.recent ?? 0,
      active: row?.active ?? 0,
      standing: row?.standing ?? 0,
      mostFrequent: counts(row?.top),
      chattering: counts(row?.chattering),
    }
  }
}
