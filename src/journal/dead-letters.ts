import type { Pool } from 'pg'
import type { Logger } from '../logger.js'
import { EVENT_CATALOG, type EventType } from '../domain/event-catalog.js'
import { newEventId } from '../domain/event-id.js'
import { boundedPayload } from './bounded-payload.js'
import { GroupCommitter } from './group-commit.js'
import { namedParams } from './named-params.js'
import { PG_RETRY_POLICY } from './pg-errors.js'

/** A rejected input and why. */
export type DeadLetter = {
  source: string
  payload: Buffer
  reason: string
  idempotencyKey: string
  receivedAt: number
}

const DEAD_LETTER = 'DeadLetter' satisfies EventType

const RECORD_PARAMS = namedParams(
  // One element per letter of the batch.
  'sources',
  'payloads',
  'reasons',
  'idempotencyKeys',
  'receivedAt',
  'eventIds',
  // The event's type and the kind of entity whose stream it joins.
  'eventType',
  'entityType',
  // The whole input's size and SHA-256 (the payload sent is at most the bound's prefix).
  'payloadSizes',
  'payloadDigests',
)
const p = RECORD_PARAMS.placeholders

/*
 * Each new letter is also an event in the log, so the outbox relay publishes it in order. Its
 * event id comes with its letter, made here like every other event id; a letter whose key was
 * already recorded inserts nothing, so its id goes unused. A batch holding the same key twice
 * inserts that letter once and takes the first of the ids.
 */
const RECORD_LETTERS = `WITH input AS (
  SELECT * FROM unnest(${p.sources}::text[], ${p.payloads}::bytea[], ${p.reasons}::text[],
                       ${p.idempotencyKeys}::text[], ${p.receivedAt}::float8[], ${p.eventIds}::uuid[],
                       ${p.payloadSizes}::bigint[], ${p.payloadDigests}::text[])
    WITH ORDINALITY AS d(s, p, r, k, t, event_id, size, sha256, n)
), letters AS (
  INSERT INTO dead_letters (source, payload, reason, idempotency_key, received_at, payload_size, payload_sha256)
  SELECT s, p, r, k, ms_to_ts(t), size, sha256 FROM input ORDER BY n
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id, source, payload, reason, idempotency_key, received_at, recorded_at, payload_size, payload_sha256)
INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
SELECT e.event_id, ${p.entityType}::text, l.source, l.id, ${p.eventType}::text, l.received_at, l.recorded_at,
       jsonb_build_object(
         'eventId', e.event_id, 'type', ${p.eventType}::text, 'key', l.source, 'sequence', l.id,
         'occurredAt', ts_to_ms(l.received_at), 'recordedAt', ts_to_ms(l.recorded_at),
         'source', l.source, 'payloadBase64', translate(encode(l.payload, 'base64'), E'\n', ''),
         'reason', l.reason, 'receivedAt', ts_to_ms(l.received_at),
         'payloadSize', l.payload_size, 'payloadSha256', l.payload_sha256,
         'payloadTruncated', octet_length(l.payload) < l.payload_size)
  FROM letters l CROSS JOIN LATERAL (
    SELECT d.event_id FROM input d WHERE d.k = l.idempotency_key ORDER BY d.n LIMIT 1) e
 ORDER BY l.id`

function recordValues(batch: DeadLetter[], payloadBytes: number) {
  const bounded = batch.map((d) => boundedPayload(d.payload, payloadBytes))
  return {
    sources: batch.map((d) => d.source),
    payloads: bounded.map((b) => b.kept),
    reasons: batch.map((d) => d.reason),
    idempotencyKeys: batch.map((d) => d.idempotencyKey),
    receivedAt: batch.map((d) => d.receivedAt),
    eventIds: batch.map(() => newEventId()),
    eventType: DEAD_LETTER,
    entityType: EVENT_CATALOG[DEAD_LETTER].entity,
    payloadSizes: bounded.map((b) => b.size),
    payloadDigests: bounded.map((b) => b.sha256),
  }
}

/** Most bytes of its input a dead letter keeps unless told otherwise (DEAD_LETTER_PAYLOAD_BYTES). */
export const DEFAULT_DEAD_LETTER_PAYLOAD_BYTES = 4096

/**
 * Dead-letter store: grouped inserts, a redelivered bad input is kept once. Every path that
 * rejects an input records it here, so this is the one place its payload is cut to the bound
 * (the stored row and the DeadLetter event both carry the prefix, the size and the digest).
 */
export class PgDeadLetters {
  private readonly committer: GroupCommitter<DeadLetter, undefined>

  constructor(
    pool: Pool,
    log: Logger,
    maxBatch: number,
    onCommit?: (size: number, seconds: number) => void,
    {
      signal,
      payloadBytes = DEFAULT_DEAD_LETTER_PAYLOAD_BYTES,
    }: { signal?: AbortSignal; payloadBytes?: number } = {},
  ) {
    this.committer = new GroupCommitter({
      flush: async (batch) => {
        await pool.query(RECORD_LETTERS, RECORD_PARAMS.values(recordValues(batch, payloadBytes)))
        return batch.map(() => undefined)
      },
      maxBatch,
      ...PG_RETRY_POLICY,
      signal,
      onCommit,
      log: log.child({ module: 'dead-letters' }),
    })
  }

  record(letter: DeadLetter): Promise<void> {
    return this.committer.submit(letter)
  }

  idle(): Promise<void> {
    return this.committer.idle()
  }
}
