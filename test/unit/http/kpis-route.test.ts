import { createHttpApp } from '../../../src/http/app'
import { checkPlantModel } from '../../../src/plant/load-model'
import type { KpiRecordFilter } from '../../../src/read/ports'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

const T0 = Date.parse('2026-12-08T06:00:00Z')
const MIN = 60_000

describe('GET /api/v1/kpis and /api/v1/shifts', () => {
  const loaded = checkPlantModel({
    calendars: {
      early: { timeZone: 'UTC', shifts: [{ name: 'early', start: '06:00', end: '14:00' }] },
    },
    sites: [
      {
        id: 's',
        name: 'S',
        areas: [
          {
            id: 'a',
            name: 'A',
            lines: [{ id: 'presses', name: 'P', calendar: 'early', machines: [] }],
          },
        ],
      },
    ],
  })
  if (!loaded.ok) throw new Error(loaded.problems.join())
  const asked: KpiRecordFilter[] = []
  const deps = httpDeps({
    kpis: {
      records: (f) => {
        asked.push(f)
        return Promise.resolve({
          stops: [
            {
              id: '1',
              machineId: 'press-1',
              lineId: 'presses',
              state: 'down',
              startedAt: T0 + 60 * MIN,
              endedAt: T0 + 120 * MIN,
              reasonCode: null,
            },
          ],
          minutes: [],
          truncated: false,
        })
      },
    },
    plantModel: () => loaded.model,
  })

  const get = async (path: string) => {
    const server = await serve(createHttpApp(deps))
    try {
      const res = await fetch(`${server.url}/api/v1/${path}`)
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    } finally {
      await server.close()
    }
  }

  it("answers a line's KPIs over a shift named by its id, reading the line's records", async () => {
    const { status, body } = await get('kpis?scope=area&id=a&shift=presses:2026-12-08:early')
    expect(status).toBe(200)
    expect(asked.at(-1)).toEqual({ lineIds: ['presses'], from: T0, to: T0 + 480 * MIN })
    // An unqualified hour-long stop: planned busy time, downtime in none of the six losses.
    expect(body).toMatchObject({
      scope: 'area',
      id: 'a',
      plannedBusyMs: 480 * MIN,
      downtimeMs: 60 * MIN,
      availability: 0.875,
      oee: 0,
      downtimeByReason: [
        { code: null, name: null, category: 'unqualified', ms: 60 * MIN, count: 1 },
      ],
    })
  })

  it('answers every valid query for the period it names: at most 31 days, a shift over a range, and 404 for unknown scopes', async () => {
    const to = 40 * 86_400_000
    const long = await get(`kpis?scope=line&id=presses&from=0&to=${to}`)
    expect(long.status).toBe(200)
    expect([long.body.from, long.body.to]).toEqual([
      new Date(to - 31 * 86_400_000).toISOString(),
      new Date(to).toISOString(),
    ])
    const both = await get('kpis?scope=line&id=presses&from=0&to=5&shift=presses:2026-12-08:early')
    expect(both.status).toBe(200)
    expect(both.body.from).toBe(new Date(T0).toISOString())
    const backwards = await get('kpis?scope=line&id=presses&from=10&to=5')
    expect([backwards.status, backwards.body.plannedBusyMs]).toEqual([200, 0])
    const noLine = await get('kpis?scope=line&id=nowhere&from=0&to=5')
    const noShift = await get('kpis?scope=line&id=presses&shift=presses:2026-12-08:late')
    expect([noLine.status, noShift.status]).toEqual([404, 404])
  })

  it("lists a line's shifts in a range, each with its KPIs and whether it has ended", async () => {
    const { status, body } = await get(
      'shifts?line=presses&from=2026-12-08T00:00:00Z&to=2026-12-10T00:00:00Z',
    )
    expect(status).toBe(200)
    const items = body.items as { shiftId: string; closed: boolean; kpis: { downtimeMs: number } }[]
    expect(items.map((s) => [s.shiftId, s.closed, s.kpis.downtimeMs])).toEqual([
      ['presses:2026-12-08:early', T0 + 480 * MIN <= Date.now(), 60 * MIN],
      ['presses:2026-12-09:early', T0 + 86_400_000 + 480 * MIN <= Date.now(), 0],
    ])
    expect(asked.at(-1)).toEqual({
      lineIds: ['presses'],
      from: T0,
      to: T0 + 86_400_000 + 480 * MIN,
    })
  })
})
