import { createHttpApp } from '../../../src/http/app'
import { checkPlantModel } from '../../../src/plant/load-model'
import type { DowntimeFilter, DowntimeRecordRow } from '../../../src/read/ports'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

const T0 = Date.parse('2026-12-08T06:00:00Z')
const row = (
  id: string,
  start: number,
  end: number | null,
  reasonCode: string | null,
): DowntimeRecordRow => ({
  id,
  machineId: 'press-1',
  lineId: 'presses',
  state: 'down',
  startedAt: T0 + start,
  endedAt: end === null ? null : T0 + end,
  reasonCode,
  classifiedBy: null,
})

describe('GET /api/v1/downtime', () => {
  const loaded = checkPlantModel({
    reasons: [
      { code: 'BRK', name: 'Spindle failure', category: 'breakdown' },
      { code: 'PCO', name: 'Planned changeover', category: 'planned-changeover' },
    ],
    sites: [
      {
        id: 's',
        name: 'S',
        areas: [{ id: 'a', name: 'A', lines: [{ id: 'presses', name: 'P', machines: [] }] }],
      },
    ],
  })
  if (!loaded.ok) throw new Error(loaded.problems.join())
  const asked: DowntimeFilter[] = []
  const rows = [
    row('1', 0, 600_000, 'BRK'),
    row('2', 700_000, 760_000, null), // 60 s, unqualified: a small stop
    row('3', 800_000, 1_400_000, 'PCO'),
    row('4', 1_500_000, 2_400_000, 'NOT-KNOWN'),
  ]
  const deps = httpDeps({
    downtime: {
      list: (f) => {
        asked.push(f)
        return Promise.resolve(rows)
      },
    },
    plantModel: () => loaded.model,
  })

  const get = async (query: string) => {
    const server = await serve(createHttpApp(deps))
    try {
      const res = await fetch(`${server.url}/api/v1/downtime?${query}`)
      return {
        status: res.status,
        body: (await res.json()) as { items: Record<string, unknown>[] },
      }
    } finally {
      await server.close()
    }
  }

  it("names each stop's reason and category from the catalogue", async () => {
    const { status, body } = await get(
      'line=presses&from=2026-12-08T06:00:00Z&to=2026-12-08T14:00:00Z',
    )
    expect(status).toBe(200)
    expect(asked.at(-1)).toEqual({
      lineId: 'presses',
      from: T0,
      to: T0 + 8 * 3_600_000,
      openOnly: false,
      limit: 500,
    })
    expect(
      body.items.map((i) => [i.id, i.reasonName, i.category, i.planned, i.durationMs]),
    ).toEqual([
      ['1', 'Spindle failure', 'breakdown', false, 600_000],
      ['2', null, 'small-stop', false, 60_000],
      ['3', 'Planned changeover', 'planned-changeover', true, 600_000],
      ['4', null, 'unqualified', false, 900_000],
    ])
    expect(body.items[0]).toMatchObject({
      startedAt: '2026-12-08T06:00:00.000Z',
      classifiedBy: null,
    })
  })

  it('lists only the stops no reason explains when asked for unqualified ones', async () => {
    const { body } = await get('machine=press-1&from=0&to=1900000000000&status=unqualified')
    expect(body.items.map((i) => i.id)).toEqual(['4'])
  })

  it('answers an empty range with no stops, without asking the store', async () => {
    const before = asked.length
    const { status, body } = await get('line=presses&from=5&to=5')
    expect([status, body.items, asked.length]).toEqual([200, [], before])
  })
})
