import type { Pool } from 'pg'
import type { CommitOutcome, EntityWrite, InputOrigin } from '../actors/ports.js'
import type { DomainEvent } from '../domain/events.js'
import { MillstreamError } from '../errors.js'
import {
  addPartTotalsFrom,
  machineRow,
  MACHINE_COLUMNS,
  materialRow,
  MATERIAL_COLUMNS,
  PART_COLUMNS,
  partRow,
  upsertMachinesFrom,
  upsertMaterialsFrom,
  upsertPartsFrom,
} from './projections.js'
import { namedParams } from './named-params.js'
import { booleanArray, numberArray, textArray } from './pg-arrays.js'
import {
  RESUME_POINTS_MOVE_FORWARD,
  type PartitionCheckpoint,
  type ResumePoints,
} from './resume-points.js'
import { inTransaction } from './transaction.js'

/** The group commit's parameters, in the order pg numbers them (`$1` to `$25`). */
const PARAMS = namedParams(
  // One element per input (idempotency key).
  'inputEntityTypes',
  'inputEntityIds',
  'inputKeys',
  // Every event of the group as one JSON array, in event order.
  'eventPayloads',
  // JSON arrays of rows, each with the number `w` of its write.
  'machineRows',
  'materialRows',
  'partTallyRows',
  'snapshotRows',
  // Per input again: its write's number (from 1) and whether it caused events.
  'inputWrites',
  'inputEventful',
  // One element per event.
  'eventWrites',
  'eventIds',
  'eventEntityTypes',
  'eventEntityIds',
  'eventSequences',
  'eventTypes',
  'eventOccurredAt',
  'eventRecordedAt',
  'eventKeys',
  // Cluster mode, one element per partition of the ingest topic the inputs came from: the
  // epoch they were read under and the offset the partition resumes from if this commits.
  'fenceTopics',
  'fencePartitions',
  'fenceEpochs',
  'fenceNextOffsets',
  // Per input: its partition's element above (from 1), or null when it came from no partition.
  'inputFences',
  // Epoch ms: keys committed before it are not looked up (the idempotency window); null: all are.
  'dedupFrom',
)
const p = PARAMS.placeholders

/** Rows of `param` (a JSON array of objects with a write number `w`) whose write was fresh. */
const freshRows = (param: string, columns: string) =>
  `json_to_recordset(${param}::json) AS r(w bigint, ${columns}) WHERE r.w IN (SELECT w FROM fresh)`

/*
 * One statement commits a whole group: check the inputs' idempotency keys, then, for the
 * writes whose keys were all new, append their events and update the query tables and
 * snapshots. An input that caused events keeps its key on its first event row (migration 0003
 * says why no unique index is needed); one that changed nothing claims its key in
 * processed_inputs. A write with any key already committed commits nothing (a duplicate whole).
 * A single statement is atomic without BEGIN/COMMIT and costs one round trip instead of seven;
 * under load each round trip waited behind the event loop, so this shortens every commit.
 * Rows are deduplicated per entity (latest write wins), as one statement may not touch a row twice.
 */
const COMMIT_GROUP = `
WITH input AS (
  SELECT * FROM unnest(${p.inputEntityTypes}::text[], ${p.inputEntityIds}::text[], ${p.inputKeys}::text[], ${p.inputWrites}::int[], ${p.inputEventful}::bool[], ${p.inputFences}::int[])
    AS i(entity_type, entity_id, idempotency_key, w, eventful, fence)
), partitions AS (
  SELECT * FROM unnest(${p.fenceTopics}::text[], ${p.fencePartitions}::int[], ${p.fenceEpochs}::bigint[], ${p.fenceNextOffsets}::bigint[])
    WITH ORDINALITY AS f(topic, partition, epoch, next_offset, n)
), held AS (
  -- The partitions whose epoch is still the one the inputs were read under. The share lock
  -- makes a claim of the partition by another instance wait until this commit is done.
  SELECT f.n FROM partitions f
    JOIN ingest_partitions ip ON (ip.topic, ip.partition, ip.epoch) = (f.topic, f.partition, f.epoch)
     FOR SHARE OF ip
), fenced AS (
  -- Writes with an input from a partition this instance no longer holds: a zombie's.
  SELECT DISTINCT w FROM input WHERE fence IS NOT NULL AND fence NOT IN (SELECT n FROM held)
), known AS (
  -- One index probe per key: a plain join turns into a scan of the whole (growing) table
  -- once a group holds enough keys for the planner to prefer hashing.
  SELECT DISTINCT input.w FROM input CROSS JOIN LATERAL (
    -- The entity is compared on the rows the key's index finds (IS NOT DISTINCT FROM is not
    -- indexable): with stale statistics the planner would also scan the entity's events.
    -- Only the partitions of the idempotency window are probed: the bound on the partition key
    -- prunes the others before the statement runs.
    (SELECT 1 FROM event_log e
      WHERE e.idempotency_key = input.idempotency_key
        AND e.recorded_at >= coalesce(ms_to_ts(${p.dedupFrom}::float8), '-infinity')
        AND (e.entity_type, e.entity_id) IS NOT DISTINCT FROM (input.entity_type, input.entity_id))
    UNION ALL
    (SELECT 1 FROM processed_inputs p
      WHERE p.entity_type = input.entity_type AND p.entity_id = input.entity_id
        AND p.idempotency_key = input.idempotency_key
        AND p.processed_at >= coalesce(ms_to_ts(${p.dedupFrom}::float8), '-infinity'))
     LIMIT 1) AS hit
), claimed AS (
  INSERT INTO processed_inputs (entity_type, entity_id, idempotency_key)
  SELECT entity_type, entity_id, idempotency_key FROM input
   WHERE NOT eventful AND w NOT IN (SELECT w FROM known) AND w NOT IN (SELECT w FROM fenced)
  ON CONFLICT DO NOTHING
  RETURNING entity_type, entity_id, idempotency_key
), fresh AS (
  -- New writes, less any whose claim lost a race with another transaction.
  SELECT w FROM input WHERE w NOT IN (SELECT w FROM known) AND w NOT IN (SELECT w FROM fenced)
  EXCEPT
  SELECT i.w FROM input i LEFT JOIN claimed c USING (entity_type, entity_id, idempotency_key)
   WHERE NOT i.eventful AND c.idempotency_key IS NULL
), events AS (
  -- The envelope arrives as columns and the payloads as one JSON array, stored as the text
  -- the service wrote: parsing each event into jsonb had taken a fifth of the commit's CPU.
  INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at,
                         payload, idempotency_key)
  SELECT e.event_id, e.entity_type, e.entity_id, e.sequence, e.type, ms_to_ts(e.occurred_at),
         ms_to_ts(e.recorded_at), p.payload, e.idempotency_key
    FROM unnest(${p.eventWrites}::int[], ${p.eventIds}::uuid[], ${p.eventEntityTypes}::text[], ${p.eventEntityIds}::text[], ${p.eventSequences}::bigint[], ${p.eventTypes}::text[],
                ${p.eventOccurredAt}::float8[], ${p.eventRecordedAt}::float8[], ${p.eventKeys}::text[]) WITH ORDINALITY
           AS e(w, event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at,
                idempotency_key, n)
    JOIN json_array_elements(${p.eventPayloads}::json) WITH ORDINALITY AS p(payload, n) USING (n)
   WHERE e.w IN (SELECT w FROM fresh)
   ORDER BY n
), machines AS (
  ${upsertMachinesFrom(`(SELECT DISTINCT ON (r.machine_id) r.* FROM ${freshRows(p.machineRows, MACHINE_COLUMNS)}
     ORDER BY r.machine_id, r.w DESC) AS m`)}
), materials AS (
  ${upsertMaterialsFrom(`(SELECT DISTINCT ON (r.material_id) r.* FROM ${freshRows(p.materialRows, MATERIAL_COLUMNS)}
     ORDER BY r.material_id, r.w DESC) AS m`)}
), tallies AS (
  ${addPartTotalsFrom(`(SELECT r.part_id, sum(r.produced)::bigint AS produced, sum(r.scrapped)::bigint AS scrapped
     FROM ${freshRows(p.partTallyRows, 'part_id bigint, produced bigint, scrapped bigint')}
     GROUP BY r.part_id ORDER BY r.part_id) AS t`)}
), snapshots AS (
  INSERT INTO snapshots (entity_type, entity_id, sequence, state)
  SELECT DISTINCT ON (r.entity_type, r.entity_id) r.entity_type, r.entity_id, (r.state->>'sequence')::bigint, r.state
    FROM ${freshRows(p.snapshotRows, 'entity_type text, entity_id text, state jsonb')}
   ORDER BY r.entity_type, r.entity_id, r.w DESC
  ON CONFLICT (entity_type, entity_id) DO UPDATE
    SET sequence = EXCLUDED.sequence, state = EXCLUDED.state, taken_at = now()
), offsets AS (
  -- Referenced by nothing, so it runs last: concurrent commits queue on these rows only at
  -- the end. In partition order, so two of them never wait on each other's rows. A partition
  -- moves on only by the writes that were not fenced (one write may read from two partitions),
  -- and not at all without a known resume point (negative).
  INSERT INTO ingest_offsets (topic, partition, next_offset)
  SELECT f.topic, f.partition, f.next_offset FROM partitions f
   WHERE f.n IN (SELECT n FROM held) AND f.next_offset >= 0
     AND f.n IN (SELECT fence FROM input WHERE w NOT IN (SELECT w FROM fenced) AND fence IS NOT NULL)
   ORDER BY f.topic, f.partition
  ${RESUME_POINTS_MOVE_FORWARD}
)
-- Only the writes not applied come back: at full rate almost every write is applied, and a
-- row per write was read and parsed for nothing.
SELECT w, 'fenced' AS outcome FROM fenced
UNION ALL
SELECT DISTINCT w, 'duplicate' FROM input
 WHERE w NOT IN (SELECT w FROM fresh) AND w NOT IN (SELECT w FROM fenced)`

/** The events of a group as columns of the event log, in order, and their payloads. */
function eventColumns(writes: EntityWrite[]) {
  const c = {
    w: [] as number[],
    eventId: [] as string[],
    entityType: [] as string[],
    entityId: [] as string[],
    sequence: [] as number[],
    type: [] as string[],
    occurredAt: [] as number[],
    recordedAt: [] as number[],
    /** An input's key on its first event; null on the others. */
    idempotencyKey: [] as (string | null)[],
    payloads: [] as DomainEvent[],
  }
  writes.forEach((write, i) => {
    const caused = write.inputs.reduce((n, input) => n + input.eventCount, 0)
    if (caused !== write.events.length) {
      throw new MillstreamError(
        'PROCESSING_FAILED',
        `write of ${write.entityId}: ${write.events.length} events, inputs caused ${caused}`,
      )
    }
    let next = 0
    for (const input of write.inputs) {
      for (let k = 0; k < input.eventCount; k++) {
        const e = write.events[next++] as DomainEvent
        c.w.push(i + 1)
        c.eventId.push(e.eventId)
        c.entityType.push(write.entityType)
        c.entityId.push(e.key)
        c.sequence.push(e.sequence)
        c.type.push(e.type)
        c.occurredAt.push(e.occurredAt)
        c.recordedAt.push(e.recordedAt)
        c.idempotencyKey.push(k === 0 ? input.idempotencyKey : null)
        c.payloads.push(e)
      }
    }
  })
  return c
}

/** Each input's checkpoint (numbered from 1), or null for an input read from no partition. */
function inputFences(
  inputs: { input: { origin?: InputOrigin } }[],
  checkpoints: PartitionCheckpoint[],
): (number | null)[] {
  const index = new Map(
    checkpoints.map((c, n) => [`${c.topic}\0${c.partition}\0${c.epoch}`, n + 1]),
  )
  return inputs.map(({ input: { origin: o } }) => {
    if (!o) return null
    const n = index.get(`${o.topic}\0${o.partition}\0${o.epoch}`)
    if (n === undefined) throw new Error(`no checkpoint for partition ${o.partition} of ${o.topic}`)
    return n
  })
}

/** The channel that tells listeners about parts' new cycle times: `[[partId, seconds], ...]`. */
export const PART_CATALOG_CHANNEL = 'millstream_part_catalog'

/** Under PostgreSQL's 8000-byte limit on a notification's payload. */
const MAX_NOTICE_BYTES = 7000

/** The cycle times of `parts` as notification payloads, each under the limit. */
function catalogNotices(parts: { part_id: number; time_to_produce: number | null }[]): string[] {
  const notices: string[] = []
  let entries: [number, number][] = []
  for (const p of parts) {
    if (p.time_to_produce === null) continue
    entries.push([p.part_id, p.time_to_produce])
    if (entries.length * 50 > MAX_NOTICE_BYTES) {
      notices.push(JSON.stringify(entries))
      entries = []
    }
  }
  if (entries.length > 0) notices.push(JSON.stringify(entries))
  return notices
}

/** A write the group commit did not apply, and why. */
type NotApplied = { w: string; outcome: 'duplicate' | 'fenced' }

/** What a commit needs besides its writes. */
export type CommitOptions = {
  /** Cluster mode: where the partitions of the inputs a commit carries resume once it lands. */
  resumePoints?: ResumePoints | undefined
  /** How far back an input's key is looked up (unset: all the way). */
  dedupWindowMs?: number | undefined
}

/** Prepared once per connection: parsing and planning it was 6% of PostgreSQL's commit work. */
const COMMIT_QUERY = { name: 'millstream-commit-group', text: COMMIT_GROUP }

/**
 * Commits a group of entity writes; returns, per write, whether it was applied or a
 * duplicate. Part reference data (rare) shares part_state with the totals, so it follows in a
 * second statement of the same transaction.
 */
export async function commitWrites(
  pool: Pool,
  writes: EntityWrite[],
  { resumePoints, dedupWindowMs }: CommitOptions = {},
): Promise<CommitOutcome[]> {
  // The picked rows are built here, so they are numbered in place (a spread copy cost more).
  const numbered = <T extends object>(pick: (w: EntityWrite) => T[]) =>
    JSON.stringify(writes.flatMap((w, i) => pick(w).map((row) => Object.assign(row, { w: i + 1 }))))
  // One input row per idempotency key, numbered by its write (from 1).
  const inputs = writes.flatMap((w, i) => w.inputs.map((input) => ({ w, i, input })))
  const events = eventColumns(writes)
  const origins = inputs.flatMap((k) => (k.input.origin ? [k.input.origin] : []))
  const checkpoints = origins.length > 0 && resumePoints ? resumePoints(origins) : []
  const params = PARAMS.values({
    inputEntityTypes: textArray(inputs.map((k) => k.w.entityType)),
    inputEntityIds: textArray(inputs.map((k) => k.w.entityId)),
    inputKeys: textArray(inputs.map((k) => k.input.idempotencyKey)),
    eventPayloads: JSON.stringify(events.payloads),
    machineRows: numbered((w) =>
      w.projection?.entityType === 'machine' ? [machineRow(w.projection)] : [],
    ),
    materialRows: numbered((w) =>
      w.projection?.entityType === 'material' ? [materialRow(w.projection)] : [],
    ),
    partTallyRows: numbered((w) =>
      w.partTallies.map((t) => ({ part_id: t.partId, produced: t.produced, scrapped: t.scrapped })),
    ),
    snapshotRows: numbered((w) =>
      w.snapshot === undefined
        ? []
        : [{ entity_type: w.entityType, entity_id: w.entityId, state: w.snapshot }],
    ),
    inputWrites: numberArray(inputs.map((k) => k.i + 1)),
    inputEventful: booleanArray(inputs.map((k) => k.input.eventCount > 0)),
    eventWrites: numberArray(events.w),
    eventIds: textArray(events.eventId),
    eventEntityTypes: textArray(events.entityType),
    eventEntityIds: textArray(events.entityId),
    eventSequences: numberArray(events.sequence),
    eventTypes: textArray(events.type),
    eventOccurredAt: numberArray(events.occurredAt),
    eventRecordedAt: numberArray(events.recordedAt),
    eventKeys: textArray(events.idempotencyKey),
    fenceTopics: checkpoints.map((c) => c.topic),
    fencePartitions: checkpoints.map((c) => c.partition),
    fenceEpochs: checkpoints.map((c) => c.epoch),
    fenceNextOffsets: checkpoints.map((c) => c.nextOffset),
    inputFences: numberArray(inputFences(inputs, checkpoints)),
    dedupFrom: dedupWindowMs === undefined ? null : Date.now() - dedupWindowMs,
  })
  const outcomes = (rows: NotApplied[]) => {
    const outcome = new Map(rows.map((r) => [Number(r.w), r.outcome]))
    // A write with no input has no key to commit it by: nothing of it is stored.
    return writes.map(
      (w, i): CommitOutcome =>
        outcome.get(i + 1) ?? (w.inputs.length > 0 ? 'applied' : 'duplicate'),
    )
  }
  if (!writes.some((w) => w.projection?.entityType === 'part')) {
    return outcomes((await pool.query<NotApplied>({ ...COMMIT_QUERY, values: params })).rows)
  }
  return inTransaction(pool, async (client) => {
    const result = outcomes(
      (await client.query<NotApplied>({ ...COMMIT_QUERY, values: params })).rows,
    )
    const freshParts = writes.flatMap((w, i) =>
      result[i] === 'applied' && w.projection?.entityType === 'part' ? [partRow(w.projection)] : [],
    )
    if (freshParts.length > 0) {
      await client.query(upsertPartsFrom(`jsonb_to_recordset($1::jsonb) AS p(${PART_COLUMNS})`), [
        JSON.stringify(freshParts),
      ])
      // Told on commit to every instance listening: machines on other instances need the
      // part's cycle time for their OEE.
      await client.query(
        `SELECT pg_notify('${PART_CATALOG_CHANNEL}', c) FROM unnest($1::text[]) c`,
        [catalogNotices(freshParts)],
      )
    }
    return result
  })
}
