import type { Pool } from 'pg'
import type { AuditEntry, AuditRow, AuditTrail } from './ports.js'
import { namedParams } from '../journal/named-params.js'
import { inBoundedTransaction } from '../journal/transaction.js'

const RECORD = namedParams('key', 'action', 'target', 'outcome')
const LIST = namedParams('afterId', 'limit')

/** The audit records in the `audit_log` table; every statement has the given deadline. */
export class PgAuditLog implements AuditTrail {
  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs: number,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const p = RECORD.placeholders
    await inBoundedTransaction(this.pool, this.timeoutMs, (client) =>
      client.query(
        `INSERT INTO audit_log (key_name, action, target, outcome)
           VALUES (${p.key}, ${p.action}, ${p.target}, ${p.outcome})`,
        RECORD.values(entry),
      ),
    )
  }

  async list(limit: number, afterId: number): Promise<AuditRow[]> {
    const p = LIST.placeholders
    const r = await inBoundedTransaction(
      this.pool,
      this.timeoutMs,
      (client) =>
        client.query<AuditRow>(
          `SELECT id, recorded_at AS "recordedAt", key_name AS key, action, target, outcome
             FROM audit_log WHERE id > ${p.afterId} ORDER BY id LIMIT ${p.limit}`,
          LIST.values({ afterId, limit }),
        ),
      'read only',
    )
    return r.rows
  }
}
