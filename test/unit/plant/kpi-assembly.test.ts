import { kpisOf, machineFigures } from '../../../src/domain/plant-kpis'
import { kpiAnswer, linesOf, memberships, shiftById } from '../../../src/plant/kpi-assembly'
import { checkPlantModel } from '../../../src/plant/load-model'
import type {
  KpiRecords,
  PartMinuteRow,
  StopRow as DowntimeRecordRow,
} from '../../../src/plant/kpi-records'

const T0 = Date.parse('2026-12-08T06:00:00Z') // a Tuesday, the early shift's start
const MIN = 60_000
const SHIFT = { from: T0, to: T0 + 480 * MIN }

const loaded = checkPlantModel({
  microStopSeconds: 120,
  startupMinutes: 10,
  reasons: [{ code: 'BRK', name: 'Spindle failure', category: 'breakdown' }],
  calendars: {
    early: {
      timeZone: 'UTC',
      shifts: [
        { name: 'early', start: '06:00', end: '14:00', breaks: [{ start: '10:00', end: '10:30' }] },
      ],
    },
  },
  sites: [
    {
      id: 'site',
      name: 'Site',
      calendar: 'early',
      areas: [
        {
          id: 'area',
          name: 'Area',
          lines: [
            { id: 'A', name: 'A', machines: [] },
            { id: 'B', name: 'B', machines: [] },
          ],
        },
      ],
    },
  ],
})
if (!loaded.ok) throw new Error(loaded.problems.join())
const model = loaded.model

const stop = (
  machineId: string,
  lineId: string,
  from: number,
  to: number | null,
  reasonCode: string | null,
): DowntimeRecordRow => ({
  id: `${machineId}-${from}`,
  machineId,
  lineId,
  state: 'down',
  startedAt: T0 + from * MIN,
  endedAt: to === null ? null : T0 + to * MIN,
  reasonCode,
})
const parts = (
  machineId: string,
  lineId: string,
  at: number,
  produced: number,
  scrap: number,
): PartMinuteRow => ({
  machineId,
  lineId,
  minute: T0 + at * MIN,
  produced,
  good: produced - scrap,
  idealMs: produced * 30_000,
  scrapIdealMs: scrap * 30_000,
})
const records = (stops: DowntimeRecordRow[], minutes: PartMinuteRow[]): KpiRecords => ({
  stops,
  minutes,
  truncated: false,
})
const now = T0 + 1000 * MIN

describe('KPI answers from the follower records', () => {
  it("sums a line's machines and equals the pure computation over the same records", () => {
    // press-1: breakdown 07:00-07:30, 600 parts at 08:00 (10 scrap). press-2: 300 parts at 09:00.
    const r = records(
      [stop('press-1', 'A', 60, 90, 'BRK')],
      [parts('press-1', 'A', 120, 600, 10), parts('press-2', 'A', 180, 300, 0)],
    )
    const answer = kpiAnswer(model, { scope: 'line', id: 'A', lineIds: ['A'] }, SHIFT, r, now)
    // Planned busy: 450 min each; downtime 30 min; net run time (600 + 300) × 30 s = 450 min.
    expect(answer).toMatchObject({
      scope: 'line',
      id: 'A',
      from: '2026-12-08T06:00:00.000Z',
      to: '2026-12-08T14:00:00.000Z',
      plannedBusyMs: 900 * MIN,
      runMs: 870 * MIN,
      downtimeMs: 30 * MIN,
      produced: 900,
      good: 890,
      scrap: 10,
      failures: 1,
      mttrMs: 30 * MIN,
      downtimeByReason: [
        { code: 'BRK', name: 'Spindle failure', category: 'breakdown', ms: 30 * MIN, count: 1 },
      ],
    })
    expect(answer.availability).toBeCloseTo(870 / 900, 10)
    expect(answer.performance).toBeCloseTo(450 / 870, 10)
    // press-1 lost 450 − 295 = 155 min at a 30 s cycle, press-2 300 min: press-2 is the constraint.
    expect(answer.constraint).toBe('press-2')
    const planned = [
      { from: T0, to: T0 + 240 * MIN },
      { from: T0 + 270 * MIN, to: T0 + 480 * MIN },
    ]
    const rules = { microStopMs: 120_000, startupMs: 600_000, now }
    const pure = kpisOf(
      machineFigures(
        {
          machineId: 'press-1',
          planned,
          stops: [{ ...r.stops[0]!, category: 'breakdown' }],
          minutes: [r.minutes[0]!],
        },
        SHIFT,
        rules,
      ),
    )
    const alone = kpiAnswer(model, { scope: 'machine', id: 'press-1', lineIds: [] }, SHIFT, r, now)
    expect({ ...alone, downtimeByReason: [] }).toMatchObject({ ...pure, downtimeByReason: [] })
  })

  it('counts a machine moved between lines in each line for its own time there', () => {
    // press-1 on A (a stop at 07:00) until its first part on B at 11:00.
    const r = records(
      [stop('press-1', 'A', 60, 70, 'BRK')],
      [parts('press-1', 'A', 100, 10, 0), parts('press-1', 'B', 300, 20, 0)],
    )
    const m = memberships(r)
    expect(m.map((x) => [x.lineId, x.spans])).toEqual([
      ['A', [{ from: -Infinity, to: T0 + 300 * MIN }]],
      ['B', [{ from: T0 + 300 * MIN, to: Infinity }]],
    ])
    const a = kpiAnswer(model, { scope: 'line', id: 'A', lineIds: ['A'] }, SHIFT, r, now)
    const b = kpiAnswer(model, { scope: 'line', id: 'B', lineIds: ['B'] }, SHIFT, r, now)
    const area = kpiAnswer(model, { scope: 'area', id: 'area', lineIds: ['A', 'B'] }, SHIFT, r, now)
    // A: 06:00-11:00 less the 10:00-10:30 break = 270 min; B: 11:00-14:00 = 180 min.
    expect([a.plannedBusyMs, b.plannedBusyMs, area.plannedBusyMs]).toEqual([
      270 * MIN,
      180 * MIN,
      450 * MIN,
    ])
    expect([a.produced, b.produced, area.produced, a.failures, b.failures]).toEqual([
      10, 20, 30, 1, 0,
    ])
    expect(area.constraint).toBeNull()
  })

  it('finds the lines of an area or a site and refuses a scope the model lacks', () => {
    expect(linesOf(model, 'area', 'area')).toEqual(['A', 'B'])
    expect(linesOf(model, 'site', 'site')).toEqual(['A', 'B'])
    expect(linesOf(model, 'line', 'B')).toEqual(['B'])
    expect(linesOf(model, 'line', 'C')).toBeUndefined()
    expect(linesOf(model, 'site', 'elsewhere')).toBeUndefined()
  })

  it('finds a shift by its id, and no shift on a day or line without it', () => {
    expect(shiftById(model, 'A:2026-12-08:early')).toMatchObject({
      startsAt: T0,
      endsAt: T0 + 480 * MIN,
    })
    expect(shiftById(model, 'A:2026-12-08:late')).toBeUndefined()
    expect(shiftById(model, 'C:2026-12-08:early')).toBeUndefined()
    expect(shiftById(model, 'A:08-12-2026:early')).toBeUndefined()
  })
})
