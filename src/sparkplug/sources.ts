import type { Pool } from 'pg'
import { withTimeout } from '../deadline.js'

/** A machine's place in the Sparkplug namespace: its edge node, and its device when it is one. */
export type SparkplugSource = { group: string; edgeNode: string; device?: string }

/** Where each Sparkplug machine was last born, shared by every instance. */
export class PgSparkplugSources {
  constructor(
    private readonly pool: Pool,
    private readonly deadlineMs: number,
  ) {}

  /** Records a birth; a machine born elsewhere since moves there. */
  async born(machineId: string, source: SparkplugSource, at: number): Promise<void> {
    await withTimeout(
      this.pool.query(
        `INSERT INTO sparkplug_sources (machine_id, group_id, edge_node, device, born_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (machine_id) DO UPDATE
           SET group_id = EXCLUDED.group_id, edge_node = EXCLUDED.edge_node,
               device = EXCLUDED.device, born_at = EXCLUDED.born_at`,
        [machineId, source.group, source.edgeNode, source.device ?? null, new Date(at)],
      ),
      this.deadlineMs,
    )
  }

  /** The machine's source, or undefined when it is not a Sparkplug machine. */
  async of(machineId: string): Promise<SparkplugSource | undefined> {
    const r = await withTimeout(
      this.pool.query<{ group_id: string; edge_node: string; device: string | null }>(
        'SELECT group_id, edge_node, device FROM sparkplug_sources WHERE machine_id = $1',
        [machineId],
      ),
      this.deadlineMs,
    )
    const row = r.rows[0]
    if (!row) return undefined
    return row.device === null
      ? { group: row.group_id, edgeNode: row.edge_node }
      : { group: row.group_id, edgeNode: row.edge_node, device: row.device }
  }
}
