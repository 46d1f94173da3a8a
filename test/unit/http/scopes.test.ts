import { Writable } from 'node:stream'
import { pino } from 'pino'
import { createHttpApp } from '../../../src/http/app'
import { serve } from '../../support/http'
import { apiKeysOf, httpDeps } from '../../support/http-deps'
import { MemoryAuditTrail } from '../../doubles/audit-trail'

type AuditLine = { audit?: boolean; key: string; action: string; target: string; outcome: string }

describe('API key scopes and audit records', () => {
  const lines: AuditLine[] = []
  const trail = new MemoryAuditTrail()
  const published: { topic: string; retain?: boolean }[] = []
  let server: Awaited<ReturnType<typeof serve>>
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean))
        lines.push(JSON.parse(l) as AuditLine)
      done()
    },
  })
  const audits = () => lines.filter((l) => l.audit === true)

  beforeAll(async () => {
    const app = createHttpApp(
      httpDeps({
        apiKeys: apiKeysOf(
          'viewer:read:rk',
          'operator:command:ck',
          'feeder:ingest+publish:pk',
          'root:publish|admin:ak',
        ),
        bus: {
          publish: (topic, _payload, options) =>
            Promise.resolve(void published.push({ topic, retain: options?.retain })),
        },
        readsNeedKey: true,
        audit: trail,
        log: pino({ level: 'info' }, sink),
      }),
    )
    server = await serve(app)
  })
  afterAll(() => server.close())
  beforeEach(() => {
    lines.length = 0
    trail.rows.length = 0
    published.length = 0
  })

  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })

  it('refuse a command to a read key with 403, and audit the refusal once', async () => {
    const res = await call('POST', '/machines/7/commands', 'rk', { type: 'reset-counters' })
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect(await res.json()).toMatchObject({ detail: 'the API key lacks scope command' })
    expect(published).toEqual([])
    expect(audits()).toEqual([
      expect.objectContaining({ key: 'viewer', action: 'machine-command', outcome: 'FORBIDDEN' }),
    ])
  })

  it('let a read key read when reads need a key, and a command key not', async () => {
    expect((await call('GET', '/machines', 'rk')).status).toBe(200)
    expect((await call('GET', '/machines', 'ck')).status).toBe(403)
    expect(audits()).toEqual([])
  })

  it('leave exactly one audit record per command, naming key, action, target and outcome', async () => {
    expect(
      (await call('POST', '/machines/7/commands', 'ck', { type: 'reset-counters' })).status,
    ).toBe(202)
    expect(
      (await call('PUT', '/parts/4', 'ck', { defaultPrice: 2, timeToProduce: 30 })).status,
    ).toBe(202)
    expect(
      (await call('POST', '/materials/steel/prices', 'ck', { name: 'Steel', price: 2.5, date: 0 }))
        .status,
    ).toBe(202)
    expect((await call('POST', '/machines/7/commands', 'ck', { type: 'nonsense' })).status).toBe(
      400,
    )
    expect(audits()).toEqual([
      expect.objectContaining({
        key: 'operator',
        action: 'machine-command',
        target: 'machine 7: reset-counters',
        outcome: '202',
      }),
      expect.objectContaining({
        key: 'operator',
        action: 'part-info',
        target: 'factory/parts/4/info',
        outcome: '202',
      }),
      expect.objectContaining({
        key: 'operator',
        action: 'material-price',
        target: 'factory/materials/steel',
        outcome: '202',
      }),
      expect.objectContaining({
        key: 'operator',
        action: 'machine-command',
        target: '/api/v1/machines/7/commands',
        outcome: 'BAD_REQUEST',
      }),
    ])
    expect(lines.filter((l) => l.audit === true && l.key === 'operator')).toHaveLength(4)
    expect(trail.rows.map((r) => [r.key, r.action, r.target, r.outcome])).toEqual(
      audits().map((a) => [a.key, a.action, a.target, a.outcome]),
    )
  })

  it('list the audit trail to an admin key only', async () => {
    await call('POST', '/machines/7/commands', 'ck', { type: 'maintenance-start' })
    expect((await call('GET', '/audit', 'ck')).status).toBe(403)
    const res = await call('GET', '/audit?limit=1', 'ak')
    expect(res.status).toBe(200)
    const page = (await res.json()) as { items: { key: string; target: string }[]; next: number }
    expect(page.items).toEqual([
      expect.objectContaining({ key: 'operator', target: 'machine 7: maintenance-start' }),
    ])
    expect(page.next).toBe(trail.rows[0]?.id)
  })

  it('answer a command as before when the trail cannot store its record, which the log keeps', async () => {
    const record = jest.spyOn(trail, 'record').mockRejectedValueOnce(new Error('database down'))
    const res = await call('POST', '/machines/7/commands', 'ck', { type: 'maintenance-end' })
    record.mockRestore()
    expect(res.status).toBe(202)
    expect(audits()).toEqual([
      expect.objectContaining({ key: 'operator', target: 'machine 7: maintenance-end' }),
    ])
    expect(lines.some((l) => (l as { msg?: string }).msg?.includes('not stored'))).toBe(true)
  })

  it('refuse a Sparkplug NCMD through /mqtt/publish to a command key and to a publish key', async () => {
    const ncmd = { topic: 'spBv1.0/plant/NCMD/edge-1', payload: 'x' }
    expect((await call('POST', '/mqtt/publish', 'ck', ncmd)).status).toBe(403)
    const res = await call('POST', '/mqtt/publish', 'pk', ncmd)
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({
      detail: 'a Sparkplug topic: the API key lacks scope admin',
    })
    expect(published).toEqual([])
    expect((await call('POST', '/mqtt/publish', 'ak', ncmd)).status).toBe(202)
    expect(published).toEqual([{ topic: 'spBv1.0/plant/NCMD/edge-1', retain: false }])
    expect(audits().map((a) => [a.key, a.action, a.target, a.outcome])).toEqual([
      ['operator', 'mqtt-publish', '/api/v1/mqtt/publish', 'FORBIDDEN'],
      ['feeder', 'mqtt-publish', 'spBv1.0/plant/NCMD/edge-1', 'FORBIDDEN'],
      ['root', 'mqtt-publish', 'spBv1.0/plant/NCMD/edge-1', '202'],
    ])
  })

  it('refuse retain on an input topic without admin, and allow it elsewhere', async () => {
    const retained = (topic: string) => ({ topic, payload: '{}', retain: true })
    for (const topic of ['factory/machines/7/status', 'supply-chain']) {
      const res = await call('POST', '/mqtt/publish', 'pk', retained(topic))
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({
        detail: 'retain on an input topic: the API key lacks scope admin',
      })
    }
    expect((await call('POST', '/mqtt/publish', 'pk', retained('displays/line-7'))).status).toBe(
      202,
    )
    expect(
      (
        await call('POST', '/mqtt/publish', 'pk', {
          topic: 'factory/machines/7/status',
          payload: '{}',
        })
      ).status,
    ).toBe(202)
    expect((await call('POST', '/mqtt/publish', 'ak', retained('supply-chain'))).status).toBe(202)
    expect(published.map((p) => p.topic)).toEqual([
      'displays/line-7',
      'factory/machines/7/status',
      'supply-chain',
    ])
  })

  it('audit each ingest with the key that sent it', async () => {
    const batch = [{ topic: 'factory/machines/7/status', payload: { status: 'running' } }]
    expect((await call('POST', '/ingest', 'pk', batch)).status).toBe(202)
    expect((await call('POST', '/ingest', 'ck', batch)).status).toBe(403)
    expect(audits().map((a) => [a.key, a.action, a.target, a.outcome])).toEqual([
      ['feeder', 'ingest', '1 messages', '202'],
      ['operator', 'ingest', '/api/v1/ingest', 'FORBIDDEN'],
    ])
  })

  it('declare each operation’s scope in the OpenAPI document', async () => {
    const doc = (await (await call('GET', '/openapi.json', 'rk')).json()) as {
      paths: Record<string, Record<string, { security?: unknown; 'x-required-scope'?: string }>>
    }
    const scopeOf = (path: string, method: string) =>
      doc.paths[path]?.[method]?.['x-required-scope']
    expect(scopeOf('/api/v1/machines/{machineId}/commands', 'post')).toBe('command')
    expect(scopeOf('/api/v1/ingest', 'post')).toBe('ingest')
    expect(scopeOf('/api/v1/mqtt/publish', 'post')).toBe('publish')
    expect(scopeOf('/api/v1/machines', 'get')).toBe('read')
    expect(doc.paths['/api/v1/ingest']?.post?.security).toEqual([{ apiKey: [] }])
    expect(scopeOf('/healthz', 'get')).toBeUndefined()
  })
})
