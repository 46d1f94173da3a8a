import type { Pool } from 'pg'
import { SEVERITIES, type Severity } from '../domain/alarms/alarm-rule.js'
import type { AlarmView, AlarmReads, MachineAlarms } from './ports.js'

type Row = { machine_id: string; alarms: MachineAlarms }

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString())

/** Alarms from the machines' rows (kept there by each commit, so no log is folded to list them). */
export class AlarmQueries implements AlarmReads {
  constructor(private readonly pool: Pick<Pool, 'query'>) {}

  async active(filter: { machineId?: string; severity?: Severity }): Promise<AlarmView[]> {
    const r = await this.pool.query<Row>(
      `SELECT machine_id, alarms FROM machine_state
        WHERE alarms IS NOT NULL AND (alarms->'alarms' <> '{}' OR alarms->'shelves' <> '{}')
          AND ($1::text IS NULL OR machine_id = $1)
        ORDER BY machine_id`,
      [filter.machineId ?? null],
    )
    const views = r.rows.flatMap((row) => viewsOf(row.machine_id, row.alarms))
    const shown = filter.severity ? views.filter((v) => v.severity === filter.severity) : views
    // Most urgent first, then the oldest: the order an operator works through them.
    const rank = (v: AlarmView) => (v.severity ? SEVERITIES.indexOf(v.severity) : SEVERITIES.length)
    return shown.sort(
      (a, b) => rank(a) - rank(b) || (a.raisedAt ?? '').localeCompare(b.raisedAt ?? ''),
    )
  }

  async ofMachine(machineId: string): Promise<MachineAlarms | undefined> {
    const r = await this.pool.query<{ alarms: MachineAlarms | null }>(
      'SELECT alarms FROM machine_state WHERE machine_id = $1',
      [machineId],
    )
    const row = r.rows[0]
    return row ? (row.alarms ?? { alarms: {}, shelves: {} }) : undefined
  }
}

/** A machine's alarms as the API shows them, from its row's `alarms`. */
export function viewsOf(machineId: string, book: MachineAlarms): AlarmView[] {
  const ids = new Set([...Object.keys(book.alarms), ...Object.keys(book.shelves)])
  return [...ids].map((ruleId) => {
    const a = book.alarms[ruleId]
    const shelf = book.shelves[ruleId]
    return {
      machineId,
      ruleId,
      ruleKind: a?.ruleKind ?? null,
      severity: a?.severity ?? null,
      state: a?.state ?? 'normal',
      raisedAt: iso(a?.raisedAt),
      detail: a?.detail ?? null,
      acknowledgedAt: iso(a?.acknowledgedAt),
      acknowledgedBy: a?.acknowledgedBy ?? null,
      clearedAt: iso(a?.clearedAt),
      shelved: shelf ? { by: shelf.by, reason: shelf.reason, until: iso(shelf.until) ?? '' } : null,
    }
  })
}
