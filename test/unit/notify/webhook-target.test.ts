import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AlarmNotice } from '../../../src/notify/committed-alarm-events'
import { postAlarm, signBody, webhookBody } from '../../../src/notify/webhook-target'

const notice: AlarmNotice = {
  eventId: '3f1c8a52-5d7e-4b1a-9c2e-1f0a6b7d8e90',
  type: 'AlarmRaised',
  machineId: 'press-7',
  ruleId: 'spindle-hot',
  occurredAt: Date.UTC(2026, 11, 7, 20, 0, 0),
  payload: { ruleId: 'spindle-hot', severity: 'major', value: 83.5 },
}

type Seen = { headers: IncomingMessage['headers']; body: string }

/** A local receiver answering each request with `answer`, recording what it was sent. */
async function receiver(
  answer: (res: ServerResponse) => void,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      seen.push({ headers: req.headers, body })
      answer(res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}/hook`, seen, server }
}

describe('the alarm webhook', () => {
  const servers: Server[] = []
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections()
      await new Promise((resolve) => s.close(resolve))
    }
  })
  const serve = async (answer: (res: ServerResponse) => void) => {
    const r = await receiver(answer)
    servers.push(r.server)
    return r
  }
  const never = new AbortController().signal

  it('signs the body with HMAC-SHA256 under the secret, as the receiver can check', () => {
    const body = webhookBody(notice)
    const expected = createHmac('sha256', 's3cret').update(body).digest('hex')
    expect(signBody(body, 's3cret')).toBe(`sha256=${expected}`)
  })

  it('posts the event as JSON with its id and signature, and a 2xx delivers it', async () => {
    const { url, seen } = await serve((res) => res.writeHead(204).end())
    expect(await postAlarm(url, notice, 's3cret', 2000, never)).toEqual({ ok: true })
    expect(seen).toHaveLength(1)
    const [req] = seen
    const body = JSON.parse(req?.body ?? '') as Record<string, unknown>
    expect(body).toMatchObject({
      eventId: notice.eventId,
      type: 'AlarmRaised',
      machineId: 'press-7',
      ruleId: 'spindle-hot',
      severity: 'major',
      value: 83.5,
      occurredAt: '2026-12-07T20:00:00.000Z',
    })
    expect(req?.headers['x-millstream-event-id']).toBe(notice.eventId)
    expect(req?.headers['x-millstream-signature']).toBe(signBody(req?.body ?? '', 's3cret'))
  })

  it('sends no signature header without a secret', async () => {
    const { url, seen } = await serve((res) => res.writeHead(200).end())
    await postAlarm(url, notice, undefined, 2000, never)
    expect(seen[0]?.headers['x-millstream-signature']).toBeUndefined()
  })

  it('retries a 5xx or 429 and refuses a 4xx for good', async () => {
    const statuses = [503, 429, 404]
    const { url } = await serve((res) => res.writeHead(statuses.shift() ?? 500).end())
    expect(await postAlarm(url, notice, undefined, 2000, never)).toEqual({
      ok: false,
      retriable: true,
      reason: 'HTTP 503',
    })
    expect(await postAlarm(url, notice, undefined, 2000, never)).toMatchObject({ retriable: true })
    expect(await postAlarm(url, notice, undefined, 2000, never)).toEqual({
      ok: false,
      retriable: false,
      reason: 'HTTP 404',
    })
  })

  it('gives up on a receiver that does not answer within the deadline, to try again', async () => {
    const { url } = await serve(() => undefined)
    const started = Date.now()
    const r = await postAlarm(url, notice, undefined, 200, never)
    expect(r).toEqual({ ok: false, retriable: true, reason: 'no answer within 200 ms' })
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('retries when nothing listens', async () => {
    const { url, server } = await serve((res) => res.end())
    servers.pop()
    await new Promise((resolve) => server.close(resolve))
    expect(await postAlarm(url, notice, undefined, 2000, never)).toMatchObject({
      ok: false,
      retriable: true,
    })
  })
})
