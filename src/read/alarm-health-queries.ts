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
    const [recent, top, chattering, active] = await Promise.all([
      this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM event_log
          WHERE type = 'AlarmRaised' AND occurred_at >= now() - interval '10 minutes'`,
      ),
      this.pool.query<Count>(
        `SELECT entity_id AS machine_id, payload->>'ruleId' AS rule_id, count(*)::int AS n
           FROM event_log
          WHERE type = 'AlarmRaised' AND occurred_at >= now() - make_interval(secs => $1 / 1000.0)
          GROUP BY 1, 2 ORDER BY n DESC, 1, 2 LIMIT 10`,
        [periodMs],
      ),
      // A raise whose third-last predecessor (itself included) is within the window: chattering.
      this.pool.query<Count>(
        `SELECT machine_id, rule_id, count(*)::int AS n FROM (
           SELECT entity_id AS machine_id, payload->>'ruleId' AS rule_id, occurred_at,
                  lag(occurred_at, $2::int - 1) OVER (PARTITION BY entity_id, payload->>'ruleId'
                                                     ORDER BY occurred_at) AS earlier
             FROM event_log
            WHERE type = 'AlarmRaised' AND occurred_at >= now() - make_interval(secs => $1 / 1000.0)
         ) r
         WHERE occurred_at - earlier <= make_interval(secs => $3 / 1000.0)
         GROUP BY 1, 2 ORDER BY n DESC, 1, 2`,
        [periodMs, CHATTER.raises, CHATTER.windowMs],
      ),
      this.pool.query<{ active: number; standing: number }>(
        `SELECT count(*) FILTER (WHERE a.value->>'state' <> 'cleared-unacknowledged')::int AS active,
                count(*) FILTER (WHERE a.value->>'state' <> 'cleared-unacknowledged'
                                   AND (a.value->>'raisedAt')::float8 < $1)::int AS standing
           FROM machine_state m, jsonb_each(m.alarms->'alarms') a
          WHERE m.alarms IS NOT NULL`,
        [Date.now() - STANDING_MS],
      ),
    ])
    const counts = (rows: Count[]) =>
      rows.map((r) => ({ machineId: r.machine_id, ruleId: r.rule_id, raised: r.n }))
    return {
      periodMs,
      raisedLast10Minutes: recent.rows[0]?.n ?? 0,
      active: active.rows[0]?.active ?? 0,
      standing: active.rows[0]?.standing ?? 0,
      mostFrequent: counts(top.rows),
      chattering: counts(chattering.rows),
    }
  }
}
