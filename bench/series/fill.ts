import type pg from 'pg'

const MIN = 60_000

/** The week (or span) the filled rollups cover: whole minutes ending at the last one. */
export function filledSpan(days: number, now = Date.now()): { from: number; to: number } {
  const to = Math.floor(now / MIN) * MIN
  return { from: to - days * 86_400_000, to }
}

/**
 * One metric's minute rollups and the OEE minutes for `machines` machines over the span,
 * written by the server itself (generate_series), a slice of machines per statement. The
 * machines get a machine_state row too, as the API answers 404 for a machine it does not know.
 */
export async function fillRollups(
  client: pg.Client,
  machines: number,
  span: { from: number; to: number },
  log: (line: string) => void,
): Promise<void> {
  await client.query(
    `INSERT INTO machine_state (machine_id, sequence, state, produced, scrapped)
     SELECT 'M-' || m, 1, 'running', 0, 0 FROM generate_series(1, $1) m`,
    [machines],
  )
  const slice = 50
  for (let first = 1; first <= machines; first += slice) {
    const last = Math.min(machines, first + slice - 1)
    const params = [first, last, span.from, span.to - MIN]
    await client.query(
      `INSERT INTO series_metric_minutes (machine_id, metric, bucket, count, sum, min, max, last, last_at)
       SELECT 'M-' || m, 'temperature', b, 12, 12 * v, v - 1.5, v + 1.5, v + 0.5, b + interval '55 seconds'
         FROM generate_series($1::int, $2::int) m,
              generate_series(ms_to_ts($3), ms_to_ts($4), interval '1 minute') b,
              LATERAL (SELECT 60 + 10 * sin(extract(epoch FROM b) / 3600 + m) AS v) x`,
      params,
    )
    await client.query(
      `INSERT INTO series_machine_minutes
         (machine_id, bucket, produced, scrapped, planned_ms, running_ms, ideal_ms)
       SELECT 'M-' || m, b, 2, (m + extract(minute FROM b)::int) % 7 / 6, 60000,
              CASE WHEN extract(minute FROM b)::int % 10 = 0 THEN 30000 ELSE 60000 END, 55000
         FROM generate_series($1::int, $2::int) m,
              generate_series(ms_to_ts($3), ms_to_ts($4), interval '1 minute') b`,
      params,
    )
    if (last % 250 === 0 || last === machines) log(`series: filled ${last} of ${machines} machines`)
  }
  await client.query('ANALYZE series_metric_minutes')
  await client.query('ANALYZE series_machine_minutes')
}

/**
 * `count` machine events committed at once, as the default load mixes them: every fifth a
 * telemetry report of ten readings, one in a hundred a state change, the rest parts. Their
 * times run at 8,000 events/s up to now, over 1,000 machines of their own.
 */
export async function insertEvents(client: pg.Client, count: number): Promise<void> {
  await client.query(
    `INSERT INTO event_log
       (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
     SELECT gen_random_uuid(), 'machine', 'T-' || (i % 1000), i / 1000 + 1, e.type, e.at, e.at,
            CASE e.type
              WHEN 'MachineMetricsRecorded' THEN json_build_object('metrics',
                (SELECT json_object_agg('metric' || k, 50 + 10 * sin(i + k)) FROM generate_series(0, 9) k))
              WHEN 'MachineStateChanged' THEN json_build_object('state',
                (ARRAY['running', 'idle', 'down'])[1 + (i / 100) % 3])
              ELSE json_build_object('damaged', i % 13 = 0, 'idealCycleSeconds', 30)
            END
       FROM generate_series(0, $1 - 1) i,
            LATERAL (SELECT
              CASE WHEN i % 5 = 0 THEN 'MachineMetricsRecorded'
                   WHEN i % 100 = 1 THEN 'MachineStateChanged'
                   ELSE 'PartProduced' END AS type,
              now() - make_interval(secs => ($1 - i) / 8000.0) AS at) e`,
    [count],
  )
}
