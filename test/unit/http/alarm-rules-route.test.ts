import { createHttpApp } from '../../../src/http/app'
import { builtInAlarmRules } from '../../../src/domain/alarms/alarm-rules-file'
import { DEFAULT_RULES } from '../../../src/domain/rules'
import type { AlarmRuleReads } from '../../../src/read/ports'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

describe('GET /api/v1/alarm-rules', () => {
  let server: Awaited<ReturnType<typeof serve>>
  const alarmRules: AlarmRuleReads = {
    file: '/etc/millstream/alarms.json',
    current: () => builtInAlarmRules(DEFAULT_RULES),
    loadedAt: () => Date.UTC(2026, 0, 2),
    problems: () => ['rules.0.severity: Invalid option'],
  }
  beforeAll(async () => {
    server = await serve(createHttpApp(httpDeps({ alarmRules })))
  })
  afterAll(() => server.close())

  it('shows the rules in force, their file and a refused reload’s problems', async () => {
    const res = await fetch(`${server.url}/api/v1/alarm-rules`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      file: '/etc/millstream/alarms.json',
      loadedAt: '2026-01-02T00:00:00.000Z',
      problems: ['rules.0.severity: Invalid option'],
      items: JSON.parse(JSON.stringify(builtInAlarmRules(DEFAULT_RULES))) as unknown,
    })
  })

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, unknown>
    }
    expect(doc.paths['/api/v1/alarm-rules']).toBeDefined()
  })
})
