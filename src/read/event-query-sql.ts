import type { EventQuery } from './ports.js'

/** A field of an event's payload a query may filter on: a plain name, written into the SQL. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9]*$/

/**
 * The statement that reads the events `query` selects, in log order, at most `maxRows` of them.
 * Each filter is written the way an index of the log can answer it (migration 0010): the key
 * by `entity_id`, types and time by `(type, occurred_at)`, a payload field by its own
 * expression (`payload->>'partId'`, compared as the text of its JSON value, which is how the
 * service writes a number or a boolean), and `after` by position. The LIMIT is part of the
 * plan: with it, a filter that matches much of the log is read in position order, by index.
 */
export function eventQuerySql(
  query: EventQuery & { afterPosition?: number },
  maxRows: number,
): { sql: string; params: unknown[] } {
  const where: string[] = []
  const params: unknown[] = []
  const param = (value: unknown): string => `$${params.push(value)}`
  // One type as an equality, which the partial indexes of PartProduced's fields are proved by.
  if (query.types?.length === 1) where.push(`type = ${param(query.types[0])}`)
  else if (query.types) where.push(`type = ANY(${param(query.types)}::text[])`)
  if (query.key !== undefined) where.push(`entity_id = ${param(query.key)}`)
  for (const [field, value] of Object.entries(query.contains ?? {})) {
    if (!FIELD_NAME.test(field)) throw new Error(`not a payload field name: ${field}`)
    where.push(`payload->>'${field}' = ${param(String(value))}::text`)
  }
  // Epoch ms, converted as the writes do: PostgreSQL reads no ISO text for year 0000.
  if (query.from !== undefined) where.push(`occurred_at >= ms_to_ts(${param(query.from)})`)
  if (query.to !== undefined) where.push(`occurred_at < ms_to_ts(${param(query.to)})`)
  if (query.afterPosition !== undefined) where.push(`position > ${param(query.afterPosition)}`)
  const limit = Math.min(query.limit ?? Number.POSITIVE_INFINITY, maxRows)
  const sql = `SELECT payload::text, event_id::text FROM event_log
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY position LIMIT ${param(limit)}`
  return { sql, params }
}

/** The position of the event `eventId`, where a continued read starts after. */
export const EVENT_POSITION_SQL = 'SELECT position FROM event_log WHERE event_id = $1::uuid LIMIT 1'
