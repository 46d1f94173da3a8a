/**
 * A place in the committed event log's commit order: the writing transaction's id, then the
 * row's position. Every message of the live stream carries one as its id (`<txId>-<position>`).
 */
export type LogCursor = { readonly txId: bigint; readonly position: number }

/** Before the first event: a stream resumed from here reads the whole log. */
export const LOG_START: LogCursor = { txId: 0n, position: 0 }

/** Digits only, each part within its column's range (xid8 and bigint). */
const CURSOR_TEXT = /^(0|[1-9][0-9]{0,19})-(0|[1-9][0-9]{0,18})$/
const XID8_MAX = 2n ** 64n - 1n

/** The cursor a text names, or undefined when it names none (a resume point from elsewhere). */
export function parseCursor(text: string): LogCursor | undefined {
  const m = CURSOR_TEXT.exec(text)
  if (!m?.[1] || !m[2]) return undefined
  const txId = BigInt(m[1])
  const position = Number(m[2])
  if (txId > XID8_MAX || !Number.isSafeInteger(position)) return undefined
  return { txId, position }
}

export function formatCursor(cursor: LogCursor): string {
  return `${cursor.txId}-${cursor.position}`
}

/** Negative when `a` comes first in commit order, positive when it comes after, 0 when equal. */
export function compareCursors(a: LogCursor, b: LogCursor): number {
  if (a.txId !== b.txId) return a.txId < b.txId ? -1 : 1
  return a.position - b.position
}
