import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkPlantModel } from '../../../src/plant/load-model'
import { PlantModel } from '../../../src/plant/plant-model'

const contract = (): Record<string, unknown> =>
  JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/plant/contract-model.json'), 'utf8'),
  ) as Record<string, unknown>

const modelOf = (body: unknown): PlantModel => {
  const r = checkPlantModel(body)
  if (!r.ok) throw new Error(r.problems.join('\n'))
  return r.model
}

const problemsOf = (body: unknown): string[] => {
  const r = checkPlantModel(body)
  return r.ok ? [] : r.problems
}

const lineWith = (id: string, machines: unknown[], extra: object = {}) => ({
  id,
  name: id,
  machines,
  ...extra,
})
const plantOf = (lines: unknown[], extra: object = {}) => ({
  sites: [{ id: 's', name: 'S', areas: [{ id: 'a', name: 'A', lines }] }],
  ...extra,
})

describe('plant model file', () => {
  it('accepts the example of the documented format', () => {
    const model = modelOf(contract())
    expect(model.line('press-line')).toEqual({
      siteId: 'plant-1',
      areaId: 'pressing',
      lineId: 'press-line',
      name: 'Press line',
      calendar: 'three-shifts',
    })
    expect(model.reason('PLANNED-CHANGEOVER')?.planned).toBe(true)
  })

  it('lists every problem of a file at once', () => {
    const body = {
      reasons: [
        { code: 'X', name: 'x', category: 'breakdown', planned: true },
        { code: 'X', name: 'x again', category: 'breakdown' },
      ],
      calendars: {
        c: {
          timeZone: 'Mars/Olympus',
          shifts: [
            {
              name: 'early',
              start: '06:00',
              end: '14:00',
              breaks: [{ start: '13:30', end: '14:30' }],
            },
            { name: 'late', start: '13:00', end: '22:00' },
          ],
          plannedDowntime: [
            {
              from: '2026-12-08T08:00:00Z',
              to: '2026-12-08T06:00:00Z',
              category: 'planned-maintenance',
              lines: ['nowhere'],
            },
          ],
        },
      },
      sites: [
        {
          id: 's',
          name: 'S',
          calendar: 'missing',
          areas: [
            {
              id: 'a',
              name: 'A',
              lines: [lineWith('l1', ['m-1', { pattern: 'p-*' }]), lineWith('l1', ['m-1'])],
            },
          ],
        },
      ],
    }
    expect(problemsOf(body).sort()).toEqual(
      [
        'line l1 is defined twice',
        'machine m-1 is placed in line l1 and line l1',
        'reason X is defined twice',
        'reason X: category breakdown is unplanned, planned says true',
        'site s: calendar missing is not defined',
        'calendar c: time zone Mars/Olympus is unknown',
        'calendar c, shift early: break 13:30-14:30 is not within the shift',
        'calendar c: shifts early and late overlap',
        'calendar c, planned downtime 1: from is not before to',
        'calendar c, planned downtime 1: line nowhere is not defined',
      ].sort(),
    )
  })

  it('names the field of each schema problem', () => {
    const body = plantOf([lineWith('bad id!', [])], {
      calendars: { c: { timeZone: 'UTC', shifts: [{ name: 'x', start: '24:00', end: '6:00' }] } },
    })
    const problems = problemsOf(body)
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^sites\.0\.areas\.0\.lines\.0\.id: an id/),
        expect.stringMatching(/^calendars\.c\.shifts\.0\.start: a time of day/),
        expect.stringMatching(/^calendars\.c\.shifts\.0\.end: a time of day/),
      ]),
    )
  })

  it('finds night shifts that overlap across the end of the week', () => {
    const body = plantOf([lineWith('l', [])], {
      calendars: {
        c: {
          timeZone: 'UTC',
          shifts: [
            { name: 'sat-night', start: '22:00', end: '06:00', days: ['sat'] },
            { name: 'sun-early', start: '05:00', end: '13:00', days: ['sun'] },
          ],
        },
      },
    })
    expect(problemsOf(body)).toEqual(['calendar c: shifts sat-night and sun-early overlap'])
  })
})

describe('placing machines', () => {
  const model = modelOf(
    plantOf([
      lineWith('exact', ['press-7']),
      lineWith('edge', [{ sparkplug: { group: 'G', edgeNode: 'E' } }]),
      lineWith('presses', [{ pattern: 'press-*' }]),
      lineWith('rest', [{ pattern: '*' }]),
    ]),
  )

  it('puts a machine named by id in that line before any pattern', () => {
    expect(model.placementOf({ machineId: 'press-7' })?.lineId).toBe('exact')
  })

  it('puts a Sparkplug machine in the line of its edge node', () => {
    expect(
      model.placementOf({ machineId: 'press-9', sparkplug: { group: 'G', edgeNode: 'E' } })?.lineId,
    ).toBe('edge')
  })

  it('prefers the narrower pattern over the catch-all', () => {
    expect(model.placementOf({ machineId: 'press-9' })?.lineId).toBe('presses')
    expect(model.placementOf({ machineId: 'drill-1' })?.lineId).toBe('rest')
  })

  it('treats a dot in a pattern as a dot', () => {
    const m = modelOf(plantOf([lineWith('l', [{ pattern: 'a.b*' }])]))
    expect(m.placementOf({ machineId: 'a.b1' })?.lineId).toBe('l')
    expect(m.placementOf({ machineId: 'axb1' })).toBeUndefined()
  })

  it('serves the tree with machines in natural order and the unplaced apart', () => {
    const m = modelOf(plantOf([lineWith('l', [{ pattern: 'm-*' }])]))
    const tree = m.tree([{ machineId: 'm-10' }, { machineId: 'x' }, { machineId: 'm-2' }])
    expect(tree).toEqual({
      sites: [
        {
          id: 's',
          name: 'S',
          areas: [
            { id: 'a', name: 'A', lines: [{ id: 'l', name: 'l', machines: ['m-2', 'm-10'] }] },
          ],
        },
      ],
      unplaced: ['x'],
    })
  })

  it('without a file, holds every machine in the line unassigned, around the clock', () => {
    expect(PlantModel.DEFAULT.placementOf({ machineId: 'anything' })).toEqual({
      siteId: 'plant',
      areaId: 'plant',
      lineId: 'unassigned',
    })
    expect(PlantModel.DEFAULT.line('unassigned')?.calendar).toBeUndefined()
    expect(PlantModel.DEFAULT.microStopMs).toBe(120_000)
  })

  it('keeps an unknown reason code as given, unqualified', () => {
    expect(modelOf(contract()).categoryOf('NOT-IN-CATALOGUE')).toBe('unqualified')
    expect(modelOf(contract()).categoryOf('SETUP')).toBe('setup-adjustment')
  })
})
