import type { AuditEntry, AuditRow, AuditTrail } from '../../src/read/ports'

/** An audit trail in memory, for routing tests to read back what was recorded. */
export class MemoryAuditTrail implements AuditTrail {
  readonly rows: AuditRow[] = []

  record(entry: AuditEntry): Promise<void> {
    this.rows.push({ ...entry, id: this.rows.length + 1, recordedAt: new Date() })
    return Promise.resolve()
  }

  list(limit: number, afterId: number): Promise<AuditRow[]> {
    return Promise.resolve(this.rows.filter((r) => r.id > afterId).slice(0, limit))
  }
}
