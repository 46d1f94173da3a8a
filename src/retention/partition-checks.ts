import { afterCursor } from '../journal/commit-order.js'
import type { Queryable } from '../journal/log-partitions.js'
import type { EntityType } from '../domain/events.js'

/** A table name of the catalog's, checked before it is written into a statement. */
export function tableIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a partition name: ${name}`)
  return `"${name}"`
}

/** Where a follower of the log (the Kafka relay, the series follower) has got to in commit order. */
export type FollowerCursor = { follower: string; txId: string; position: number }

/** Each follower's saved place; one that never saved any is before the first event. */
export async function followerCursors(
  db: Queryable,
  followers: readonly string[],
): Promise<FollowerCursor[]> {
  const r = await db.query<{ relay: string; tx_id: string; position: number }>(
    `SELECT relay, tx_id::text AS tx_id, position FROM relay_offsets WHERE relay = ANY($1::text[])`,
    [followers],
  )
  const saved = new Map(r.rows.map((row) => [row.relay, row]))
  return followers.map((follower) => {
    const row = saved.get(follower)
    return row
      ? { follower, txId: row.tx_id, position: row.position }
      : { follower, txId: '0', position: 0 }
  })
}

/** Events of `table` the follower has not read yet. */
export async function unreadEvents(
  db: Queryable,
  table: string,
  cursor: FollowerCursor,
): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM ${tableIdentifier(table)} WHERE ${afterCursor('$1', '$2')}`,
    [cursor.txId, cursor.position],
  )
  return r.rows[0]?.n ?? 0
}

/** Rows in `table`. */
export async function rowCount(db: Queryable, table: string): Promise<number> {
  const r = await db.query<{ n: number }>(
    `SELECT count(*)::float8 AS n FROM ${tableIdentifier(table)}`,
  )
  return r.rows[0]?.n ?? 0
}

/** An entity whose recovery would still read events of a partition: its snapshot is older. */
export type EntityBehindSnapshot = {
  entityType: Exclude<EntityType, 'deadletter' | 'downtime'>
  entityId: string
  /** Its last sequence in the partition: a snapshot at or past it no longer needs the partition. */
  upTo: number
}

/** The entities with events in `table` that their snapshot does not cover. */
export async function entitiesBehindSnapshot(
  db: Queryable,
  table: string,
): Promise<EntityBehindSnapshot[]> {
  const r = await db.query<{
    entity_type: EntityBehindSnapshot['entityType']
    entity_id: string
    up_to: number
  }>(
    `SELECT e.entity_type, e.entity_id, max(e.sequence)::float8 AS up_to
       FROM ${tableIdentifier(table)} e
      WHERE e.entity_type NOT IN ('deadletter', 'downtime')
      GROUP BY e.entity_type, e.entity_id
     HAVING max(e.sequence) > coalesce(
       (SELECT s.sequence FROM snapshots s WHERE s.entity_type = e.entity_type AND s.entity_id = e.entity_id), 0)`,
  )
  return r.rows.map((row) => ({
    entityType: row.entity_type,
    entityId: row.entity_id,
    upTo: row.up_to,
  }))
}
