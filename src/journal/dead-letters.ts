import type { Pool } from 'pg'
import type { Logger } from '../logger.js'
import type { DeadLetterReads } from '../read/ports.js'
import { GroupCommitter } from './group-commit.js'
import { isRetriablePgError } from './pg-errors.js'

/** A rejected input and why. */
export type DeadLetter = {
  source: string
  payload: Buffer
  reason: string
  idempotencyKey: string
  receivedAt: number
}

/** A stored dead letter, as the API lists it. */
export type DeadLetterRow = {
  id: number
  source: string
  payload: Buffer
  reason: string
  receivedAt: Date
  recordedAt: Date
}

/** Dead-letter store: grouped inserts, a redelivered bad input is kept once. */
export class PgDeadLetters implements DeadLetterReads {
  private readonly committer: GroupCommitter<DeadLetter, undefined>

  constructor(
    private readonly pool: Pool,
    log: Logger,
    maxBatch: number,
    onCommit?: (size: number, seconds: number) => void,
  ) {
    this.committer = new GroupCommitter({
      flush: async (batch) => {
        // Each new letter is also an event in the log, so the outbox relay publishes it in order.
        await pool.query(
          `WITH letters AS (
             INSERT INTO dead_letters (source, payload, reason, idempotency_key, received_at)
             SELECT s, p, r, k, ms_to_ts(t) FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], $5::float8[])
               AS d(s, p, r, k, t)
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id, source, payload, reason, received_at, recorded_at)
           INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
           SELECT e.event_id, 'deadletter', l.source, l.id, 'DeadLetter', l.received_at, l.recorded_at,
                  jsonb_build_object(
                    'eventId', e.event_id, 'type', 'DeadLetter', 'key', l.source, 'sequence', l.id,
                    'occurredAt', ts_to_ms(l.received_at), 'recordedAt', ts_to_ms(l.recorded_at),
                    'source', l.source, 'payloadBase64', translate(encode(l.payload, 'base64'), E'\n', ''),
                    'reason', l.reason, 'receivedAt', ts_to_ms(l.received_at))
             FROM letters l CROSS JOIN LATERAL (SELECT gen_random_uuid() AS event_id) e`,
          [
            batch.map((d) => d.source),
            batch.map((d) => d.payload),
            batch.map((d) => d.reason),
            batch.map((d) => d.idempotencyKey),
            batch.map((d) => d.receivedAt),
          ],
        )
        return batch.map(() => undefined)
      },
      maxBatch,
      isRetriable: isRetriablePgError,
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

  async list(limit: number, afterId = 0): Promise<DeadLetterRow[]> {
    const r = await this.pool.query<DeadLetterRow>(
      `SELECT id AS id, source, payload, reason, received_at AS "receivedAt", recorded_at AS "recordedAt"
         FROM dead_letters WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    )
    return r.rows
  }
}
