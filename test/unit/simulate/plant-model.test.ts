import { readFileSync } from 'node:fs'
import { MachineModel, type MachineEmission } from '../../../src/simulate/machine-model'
import { parseSimulateArgs, type SimulateArgs } from '../../../src/simulate/options'
import { SIM_CALENDAR } from '../../../src/simulate/plant-calendar'
import { plantModelJson, type PlantModelFile } from '../../../src/simulate/plant-model'
import { Random } from '../../../src/simulate/random'
import { SIM_REASONS } from '../../../src/simulate/reasons'
import { planOf, ShiftSchedule } from '../../../src/simulate/shift-schedule'
import { simulatedPlant } from '../../../src/simulate/simulator'

const HOUR = 3600
const EXAMPLE = 'examples/plant.json'
const defaults = (): SimulateArgs => {
  const parsed = parseSimulateArgs([])
  if (!parsed.ok) throw new Error(parsed.problem)
  return parsed.args
}
const example = () => JSON.parse(readFileSync(EXAMPLE, 'utf8')) as PlantModelFile
const schedule = new ShiftSchedule(SIM_CALENDAR)

/** The default plant's first machines over `hours` from Monday 2026-12-07 00:00 UTC, at `speed`. */
function runPlant(hours: number, speed: number, machines = 20) {
  const originMs = Date.parse('2026-12-07T00:00:00Z')
  const clock = {
    wallMs: (at: number) => originMs + (at * 1000) / speed,
    atOf: (ms: number) => ((ms - originMs) / 1000) * speed,
  }
  const plan = planOf(schedule, clock)
  const end = clock.atOf(originMs + hours * HOUR * 1000)
  // 20 s cycles: far fewer parts to simulate, the same stops and shifts.
  const byMachine = simulatedPlant({ ...defaults(), rate: 0.05 })
    .machines.slice(0, machines)
    .map((c) => {
      const model = new MachineModel(c, Random.derive(1, `machine-run/${c.machineId}`), 3600, plan)
      const out: MachineEmission[] = []
      for (let t = 0; t < end; t += 600 * speed)
        out.push(...model.advance(Math.min(end, t + 600 * speed)))
      return { config: c, emissions: out }
    })
  return { byMachine, wallMs: clock.wallMs }
}

// Thirty hours of the whole plant at speed 1, run once for the tests that read it.
let fullDay: ReturnType<typeof runPlant> | undefined
const fullPlantDay = () => (fullDay ??= runPlant(30, 1))

describe('the simulated plant', () => {
  it('is the plant model shipped in examples/plant.json: 2 areas, 4 lines, 20 machines', () => {
    const plant = simulatedPlant(defaults())
    expect(example()).toEqual(JSON.parse(plantModelJson(plant)))
    const model = example()
    const areas = model.sites.flatMap((s) => s.areas)
    const lines = areas.flatMap((a) => a.lines)
    expect(areas.map((a) => a.id)).toEqual(['machining', 'forming'])
    expect(lines).toHaveLength(4)
    const placed = lines.flatMap((l) => l.machines)
    expect(placed.sort()).toEqual(plant.machines.map((m) => m.machineId).sort())
    expect(new Set(placed).size).toBe(20)
  })

  it('has no calendar round the clock: its lines run 24/7, as its machines do', () => {
    const model = JSON.parse(plantModelJson(simulatedPlant(defaults()), false)) as PlantModelFile
    expect(model.calendars).toEqual({})
    expect(model.sites[0]).not.toHaveProperty('calendar')
    expect(model.sites[0]?.areas[0]?.lines[0]).not.toHaveProperty('calendar')
    expect(model.reasons).toEqual(example().reasons)
  })

  it('sends catalogue codes on stops, all in examples/plant.json; some machines leave stops unqualified', () => {
    const known = new Map(example().reasons.map((r) => [r.code, r]))
    const { byMachine } = fullPlantDay()
    const sent = new Set<string>()
    let unqualified = 0
    for (const { config, emissions } of byMachine) {
      for (const e of emissions) {
        if (e.kind !== 'status') continue
        if (e.state === 'running') expect(e.reason).toBeUndefined()
        else if (e.reason === undefined) {
          expect(config.sendsReasons).toBe(false)
          unqualified += 1
        } else sent.add(e.reason)
      }
    }
    for (const code of sent) expect(known.get(code)).toMatchObject(SIM_REASONS[code as never])
    expect([...sent].sort()).toEqual(
      expect.arrayContaining([
        'BREAK',
        'JAM',
        'NO-MATERIAL',
        'NO-ORDERS',
        'PLANNED-MAINT',
        'SETUP',
      ]),
    )
    expect([...sent].some((c) => c.startsWith('BRK-'))).toBe(true)
    expect(unqualified).toBeGreaterThan(20)
    const senders = byMachine.filter((m) => m.config.sendsReasons).length
    expect(senders).toBeGreaterThan(0)
    expect(senders).toBeLessThan(20)
  })

  it.each([
    [1, 20],
    [5, 3],
  ])(
    'makes no parts in breaks or off shift, and idles there with the reason (speed %d, %d machines)',
    (speed, machines) => {
      const { byMachine, wallMs } = speed === 1 ? fullPlantDay() : runPlant(30, speed, machines)
      // The planned stops of those hours, walked through once.
      const stops: { from: number; to: number; reason: string }[] = []
      for (let t = Date.parse('2026-12-07T00:00:00Z'); t < Date.parse('2026-12-08T06:00:00Z');) {
        const p = schedule.at(t)
        if (!p.producing) stops.push({ from: t, to: p.until, reason: p.reason })
        t = p.until
      }
      const stopAt = (ms: number) => stops.find((x) => x.from <= ms && ms < x.to)
      let parts = 0
      const inStops: number[] = []
      const planned = new Set<string>()
      for (const { emissions } of byMachine) {
        for (const e of emissions) {
          const ms = Math.round(wallMs(e.at))
          if (e.kind === 'part') {
            parts += 1
            if (stopAt(ms)) inStops.push(ms)
          }
          if (e.kind === 'status' && (e.reason === 'BREAK' || e.reason === 'NO-ORDERS')) {
            expect(e.state).toBe('idle')
            expect(stopAt(ms)?.reason).toBe(e.reason)
            planned.add(`${e.reason}@${new Date(ms).toISOString()}`)
          }
        }
      }
      expect(inStops).toEqual([])
      expect(parts).toBeGreaterThan(500)
      // Monday 2026-12-07 (Berlin, UTC+1): breaks at 10:00, 18:00 and 02:00; off 05:30 to 06:00.
      expect([...planned].sort()).toEqual(
        expect.arrayContaining([
          'BREAK@2026-12-07T09:00:00.000Z',
          'BREAK@2026-12-07T17:00:00.000Z',
          'BREAK@2026-12-08T01:00:00.000Z',
          'NO-ORDERS@2026-12-07T04:30:00.000Z',
          'NO-ORDERS@2026-12-08T04:30:00.000Z',
        ]),
      )
    },
  )
})

describe('the shift schedule', () => {
  const at = (iso: string) => schedule.at(Date.parse(iso))

  it('places shifts, breaks and the time off in the calendar time zone', () => {
    expect(at('2026-12-07T08:00:00+01:00')).toEqual({
      producing: true,
      until: Date.parse('2026-12-07T10:00:00+01:00'),
    })
    expect(at('2026-12-07T10:15:00+01:00')).toEqual({
      producing: false,
      reason: 'BREAK',
      until: Date.parse('2026-12-07T10:30:00+01:00'),
    })
    // The night shift's break is on the next day; its end leaves half an hour off.
    expect(at('2026-12-08T02:10:00+01:00')).toMatchObject({ reason: 'BREAK' })
    expect(at('2026-12-08T05:40:00+01:00')).toEqual({
      producing: false,
      reason: 'NO-ORDERS',
      until: Date.parse('2026-12-08T06:00:00+01:00'),
    })
    // Summer time: 06:00 in Berlin is 04:00 UTC.
    expect(at('2027-07-01T03:59:00Z')).toMatchObject({ producing: false })
    expect(at('2027-07-01T04:00:00Z')).toMatchObject({ producing: true })
  })

  it('keeps a holiday off, from the night shift before it to the shift after it', () => {
    expect(at('2026-12-25T12:00:00+01:00')).toEqual({
      producing: false,
      reason: 'NO-ORDERS',
      until: Date.parse('2026-12-26T06:00:00+01:00'),
    })
    // The night shift that started on the 24th ends as usual on the 25th.
    expect(at('2026-12-25T03:00:00+01:00')).toMatchObject({ producing: true })
  })
})
