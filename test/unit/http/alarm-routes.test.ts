import { createHttpApp } from '../../../src/http/app'
import type { AlarmReads, AlarmView, MachineAlarms } from '../../../src/read/ports'
import { apiKeysOf, httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

const raised: MachineAlarms = {
  alarms: {
    hot: {
      ruleId: 'hot',
      ruleKind: 'threshold',
      severity: 'major',
      state: 'active-unacknowledged',
      raisedAt: 1,
      detail: 'temperature > 80 (value 85)',
      acknowledgedAt: null,
      acknowledgedBy: null,
      clearedAt: null,
    },
  },
  shelves: {},
}
const view: AlarmView = {
  machineId: 'm1',
  ruleId: 'hot',
  ruleKind: 'threshold',
  severity: 'major',
  state: 'active-unacknowledged',
  raisedAt: '1970-01-01T00:00:00.001Z',
  detail: 'temperature > 80 (value 85)',
  acknowledgedAt: null,
  acknowledgedBy: null,
  clearedAt: null,
  shelved: null,
}

describe('the alarm routes', () => {
  let server: Awaited<ReturnType<typeof serve>>
  const published: { topic: string; payload: unknown }[] = []
  const asked: unknown[] = []
  const alarms: AlarmReads = {
    active: (filter) => {
      asked.push(filter)
      return Promise.resolve([view])
    },
    ofMachine: (id) => Promise.resolve(id === 'm1' ? raised : undefined),
  }
  beforeAll(async () => {
    server = await serve(
      createHttpApp(
        httpDeps({
          alarms,
          apiKeys: apiKeysOf('shift-lead:command:ck'),
          bus: {
            publish: (topic, payload) =>
              Promise.resolve(void published.push({ topic, payload: JSON.parse(String(payload)) })),
          },
        }),
      ),
    )
  })
  afterAll(() => server.close())
  beforeEach(() => (published.length = 0))

  const post = (path: string, body: unknown) =>
    fetch(`${server.url}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ck' },
      body: JSON.stringify(body),
    })

  it('lists alarms filtered by severity and machine', async () => {
    const res = await fetch(`${server.url}/api/v1/alarms?severity=major&machineId=m1`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ items: [view] })
    expect(asked.at(-1)).toEqual({ machineId: 'm1', severity: 'major' })
  })

  it('sends an acknowledgement to the machine’s commands topic with the key’s name', async () => {
    const res = await post('/machines/m1/alarms/hot/acknowledge', {})
    expect(res.status).toBe(202)
    expect(published).toEqual([
      {
        topic: 'factory/machines/m1/commands',
        payload: {
          type: 'alarm-acknowledge',
          ruleId: 'hot',
          requestedBy: 'shift-lead',
          messageId: expect.any(String) as unknown,
        },
      },
    ])
  })

  it('sends a shelve with its reason and period', async () => {
    const res = await post('/machines/m1/alarms/hot/shelve', {
      reason: 'sensor swap',
      forSeconds: 600,
    })
    expect(res.status).toBe(202)
    expect(published[0]?.payload).toMatchObject({
      type: 'alarm-shelve',
      reason: 'sensor swap',
      forSeconds: 600,
    })
  })

  it('answers 409 as problem+json for a command the alarm’s state refuses, and sends nothing', async () => {
    const res = await post('/machines/m1/alarms/hot/unshelve', {})
    expect(res.status).toBe(409)
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect(((await res.json()) as { detail: string }).detail).toMatch(/not shelved/)
    expect(published).toEqual([])
  })

  it('answers 404 for a machine it does not know', async () => {
    expect((await post('/machines/nope/alarms/hot/acknowledge', {})).status).toBe(404)
  })
})
