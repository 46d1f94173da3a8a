import { createHmac } from 'node:crypto'
import type { AttemptResult } from './delivery-retry.js'
import type { AlarmNotice } from './committed-alarm-events.js'

/** The header carrying the body's HMAC-SHA256 under the shared secret. */
export const SIGNATURE_HEADER = 'x-millstream-signature'
/** The header carrying the event's id: a receiver drops a notice it has already had. */
export const EVENT_ID_HEADER = 'x-millstream-event-id'

/** `sha256=<hex>`: the HMAC-SHA256 of `body` under `secret`, as the signature header carries it. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** The JSON body posted for an alarm event: the event's fields and where it stands in time. */
export function webhookBody(notice: AlarmNotice): string {
  return JSON.stringify({
    ...notice.payload,
    eventId: notice.eventId,
    type: notice.type,
    machineId: notice.machineId,
    ruleId: notice.ruleId,
    occurredAt: new Date(notice.occurredAt).toISOString(),
  })
}

/** Statuses worth another try: the receiver was busy, timed out or failed, not the request. */
function retriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/**
 * One POST of an alarm event to a webhook, within `timeoutMs` (or until `signal` aborts). A 2xx
 * takes it; a 4xx other than 408 and 429 refuses it for good.
 */
export async function postAlarm(
  url: string,
  notice: AlarmNotice,
  secret: string | undefined,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<AttemptResult> {
  const body = webhookBody(notice)
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [EVENT_ID_HEADER]: notice.eventId,
  }
  if (secret !== undefined) headers[SIGNATURE_HEADER] = signBody(body, secret)
  const deadline = AbortSignal.timeout(timeoutMs)
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.any([signal, deadline]),
      redirect: 'error',
    })
    // The body is not read; cancelling it frees the connection at once.
    await res.body?.cancel()
    if (res.ok) return { ok: true }
    return { ok: false, retriable: retriableStatus(res.status), reason: `HTTP ${res.status}` }
  } catch (err) {
    if (signal.aborted) throw err
    const reason = deadline.aborted
      ? `no answer within ${timeoutMs} ms`
      : `request failed: ${failure(err)}`
    return { ok: false, retriable: true, reason }
  }
}

/** What went wrong with a request: undici puts the socket's error in `cause`. */
function failure(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  return err.cause instanceof Error ? err.cause.message : err.message
}
