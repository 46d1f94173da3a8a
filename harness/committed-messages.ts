import { queryOnce } from './services'

/** Which of `messageIds` (inputs' `messageId`) are in the event log of `databaseUrl`, sorted. */
export async function committedMessageIds(
  databaseUrl: string,
  messageIds: string[],
): Promise<string[]> {
  const rows = await queryOnce<{ id: string }>(
    databaseUrl,
    `SELECT DISTINCT payload->>'messageId' AS id FROM event_log WHERE payload->>'messageId' = ANY($1)`,
    [messageIds],
  )
  return rows.map((r) => r.id).sort()
}
