import {
  constraintOf,
  kpisOf,
  machineFigures,
  sumFigures,
  type KpiRules,
  type MachineRecords,
  type MinuteCount,
} from '../../../src/domain/plant-kpis'
import type { Stop } from '../../../src/domain/stop-figures'

// Every example is on Tuesday 8 December 2026, in UTC; times as HH:MM(:SS).
const t = (hhmm: string) => Date.parse(`2026-12-08T${hhmm.length === 5 ? `${hhmm}:00` : hhmm}Z`)
const MIN = 60_000
const span = (from: string, to: string) => ({ from: t(from), to: t(to) })
const stop = (
  from: string,
  to: string | null,
  reasonCode: string | null,
  category: Stop['category'],
): Stop => ({
  startedAt: t(from),
  endedAt: to === null ? null : t(to),
  reasonCode,
  category,
})
/** Parts made in one minute, each of `cycleS` seconds ideal time. */
const parts = (at: string, produced: number, scrap: number, cycleS: number): MinuteCount => ({
  minute: t(at),
  produced,
  good: produced - scrap,
  idealMs: produced * cycleS * 1000,
  scrapIdealMs: scrap * cycleS * 1000,
})
const rules: KpiRules = { microStopMs: 120_000, startupMs: 10 * MIN, now: t('23:00') }
const machine = (
  planned: { from: number; to: number }[],
  stops: Stop[],
  minutes: MinuteCount[] = [],
): MachineRecords => ({
  machineId: 'm',
  planned,
  stops,
  minutes,
})

// The early shift: 06:00-14:00 with a break 10:00-10:30, so 450 min planned.
const EARLY = span('06:00', '14:00')
const EARLY_PLANNED = [span('06:00', '10:00'), span('10:30', '14:00')]

describe('KPIs of a machine over a shift (ISO 22400-2)', () => {
  it('computes OEE, its factors, the six losses, MTBF and MTTR of a worked shift', () => {
    const records = machine(
      EARLY_PLANNED,
      [
        stop('07:00', '07:30', 'BRK', 'breakdown'), // 30 min breakdown
        stop('09:00', '09:20', 'SETUP', 'setup-adjustment'), // 20 min setup
        stop('11:00:00', '11:01:30', null, 'unqualified'), // 90 s: a small stop
        stop('12:00', '12:10', null, 'unqualified'), // 10 min, still unqualified
        stop('13:00', '13:15', 'PCO', 'planned-changeover'), // planned: out of PBT
      ],
      [
        parts('07:31', 20, 5, 30), // just after the breakdown: 5 start-up rejects
        parts('08:00', 600, 10, 30), // 10 production rejects
        parts('10:10', 10, 0, 30), // in the break: not counted
      ],
    )
    const k = kpisOf(machineFigures(records, EARLY, rules))
    // PBT = 450 - 15 (planned changeover) = 435 min; downtime = 30 + 20 + 1.5 + 10 = 61.5 min;
    // APT = 373.5 min; net run time = 620 parts x 30 s = 310 min.
    expect(k.plannedBusyMs).toBe(435 * MIN)
    expect(k.downtimeMs).toBe(61.5 * MIN)
    expect(k.runMs).toBe(373.5 * MIN)
    expect([k.produced, k.good, k.scrap]).toEqual([620, 605, 15])
    expect(k.availability).toBeCloseTo(373.5 / 435, 12)
    expect(k.performance).toBeCloseTo(310 / 373.5, 12)
    expect(k.quality).toBeCloseTo(605 / 620, 12)
    expect(k.oee).toBeCloseTo((373.5 / 435) * (310 / 373.5) * (605 / 620), 12)
    expect(k.firstPassYield).toBe(k.quality)
    expect(k.losses).toEqual({
      breakdown: 30 * MIN,
      setupAdjustment: 20 * MIN,
      smallStop: 1.5 * MIN,
      reducedSpeed: 63.5 * MIN, // APT 373.5 - net run time 310
      startupReject: 2.5 * MIN, // 5 parts x 30 s
      productionReject: 5 * MIN, // 10 parts x 30 s
    })
    expect([k.failures, k.mtbfMs, k.mttrMs]).toEqual([1, 373.5 * MIN, 30 * MIN])
    expect(k.downtimeByReason).toEqual([
      { code: 'BRK', category: 'breakdown', ms: 30 * MIN, count: 1 },
      { code: 'SETUP', category: 'setup-adjustment', ms: 20 * MIN, count: 1 },
      { code: null, category: 'unqualified', ms: 10 * MIN, count: 1 },
      { code: null, category: 'small-stop', ms: 1.5 * MIN, count: 1 },
    ])
  })

  it('splits a stop crossing a shift change by time, and counts it once, in the shift it began', () => {
    // Early 06:00-14:00 and late 14:00-22:00, no breaks; a breakdown 13:30-14:45.
    const records = machine([span('06:00', '22:00')], [stop('13:30', '14:45', 'BRK', 'breakdown')])
    const early = machineFigures(records, span('06:00', '14:00'), rules)
    const late = machineFigures(records, span('14:00', '22:00'), rules)
    const day = machineFigures(records, span('06:00', '22:00'), rules)
    expect([early.downtimeMs, early.failures, kpisOf(early).mttrMs]).toEqual([
      30 * MIN,
      1,
      30 * MIN,
    ])
    expect([late.downtimeMs, late.failures, kpisOf(late).mttrMs]).toEqual([45 * MIN, 0, null])
    expect(kpisOf(late).downtimeByReason).toEqual([
      { code: 'BRK', category: 'breakdown', ms: 45 * MIN, count: 0 },
    ])
    // The two shifts add up to the day: times and counts, not ratios.
    expect(kpisOf(sumFigures([early, late]))).toEqual(kpisOf(day))
    expect([day.downtimeMs, day.failures]).toEqual([75 * MIN, 1])
  })

  it('counts none of a break inside a stop as downtime', () => {
    // An unqualified stop 09:50-10:40 over the 10:00-10:30 break costs 10 + 10 min.
    const k = kpisOf(
      machineFigures(
        machine(EARLY_PLANNED, [stop('09:50', '10:40', null, 'unqualified')]),
        EARLY,
        rules,
      ),
    )
    expect(k.downtimeMs).toBe(20 * MIN)
    expect(k.availability).toBeCloseTo(430 / 450, 12)
    // A breakdown that begins in the break counts as a failure when the shift resumes.
    const f = machineFigures(
      machine(EARLY_PLANNED, [stop('10:10', '10:40', 'BRK', 'breakdown')]),
      EARLY,
      rules,
    )
    expect([f.downtimeMs, f.failures]).toEqual([10 * MIN, 1])
  })

  it('makes an unqualified stop under the micro-stop threshold a small stop, one exactly at it not', () => {
    const under = kpisOf(
      machineFigures(
        machine(EARLY_PLANNED, [stop('07:00:00', '07:01:59', null, 'unqualified')]),
        EARLY,
        rules,
      ),
    )
    const at = kpisOf(
      machineFigures(
        machine(EARLY_PLANNED, [stop('07:00:00', '07:02:00', null, 'unqualified')]),
        EARLY,
        rules,
      ),
    )
    expect(under.losses.smallStop).toBe(119_000)
    expect(under.downtimeByReason).toEqual([
      { code: null, category: 'small-stop', ms: 119_000, count: 1 },
    ])
    expect(at.losses.smallStop).toBe(0)
    expect(at.downtimeByReason).toEqual([
      { code: null, category: 'unqualified', ms: 120_000, count: 1 },
    ])
    // A stop still open is not known to be short yet.
    const open = kpisOf(
      machineFigures(machine(EARLY_PLANNED, [stop('07:00', null, null, 'unqualified')]), EARLY, {
        ...rules,
        now: t('07:01'),
      }),
    )
    expect(open.downtimeByReason).toEqual([
      { code: null, category: 'unqualified', ms: MIN, count: 1 },
    ])
  })

  it('moves time between losses, not OEE, when a stop of a closed shift is classified later', () => {
    const before = machine(
      EARLY_PLANNED,
      [stop('12:00', '12:10', null, 'unqualified')],
      [parts('08:00', 800, 0, 30)],
    )
    const after = { ...before, stops: [stop('12:00', '12:10', 'BRK', 'breakdown')] }
    const closed = kpisOf(machineFigures(before, EARLY, rules))
    const corrected = kpisOf(machineFigures(after, EARLY, rules))
    expect([closed.failures, closed.losses.breakdown, closed.mttrMs]).toEqual([0, 0, null])
    expect([corrected.failures, corrected.losses.breakdown, corrected.mttrMs]).toEqual([
      1,
      10 * MIN,
      10 * MIN,
    ])
    expect(corrected.mtbfMs).toBe(440 * MIN)
    expect(corrected.oee).toBe(closed.oee)
    // A planned reason takes the time out of planned busy time: availability goes up.
    const planned = kpisOf(
      machineFigures(
        { ...before, stops: [stop('12:00', '12:10', 'PCO', 'planned-changeover')] },
        EARLY,
        rules,
      ),
    )
    expect([planned.plannedBusyMs, planned.availability]).toEqual([440 * MIN, 1])
  })

  it("keeps a moved machine's history with the line it stood in, and names the line's constraint", () => {
    // x stays in line A all shift (no break here); m is in A until 10:00, then in B. The records
    // are stamped with the line at the time, and so is the planned time each line gets of m.
    const x = { ...machine([EARLY], [], [parts('08:00', 900, 0, 30)]), machineId: 'x' } // 450 min ideal
    const mInA = {
      ...machine(
        [span('06:00', '10:00')],
        [stop('09:00', '09:30', 'BRK', 'breakdown')],
        [parts('07:00', 200, 0, 60)],
      ),
      machineId: 'm',
    }
    const mInB = {
      ...machine([span('10:00', '14:00')], [stop('11:00', '11:10', null, 'unqualified')]),
      machineId: 'm',
    }
    const lineA = [x, mInA].map((r) => ({
      machineId: r.machineId,
      figures: machineFigures(r, EARLY, rules),
    }))
    const a = kpisOf(sumFigures(lineA.map((l) => l.figures)))
    const b = kpisOf(machineFigures(mInB, EARLY, rules))
    expect([a.plannedBusyMs, a.downtimeMs, a.failures, a.produced]).toEqual([
      720 * MIN,
      30 * MIN,
      1,
      1100,
    ])
    expect([b.plannedBusyMs, b.downtimeMs, b.failures, b.produced]).toEqual([
      240 * MIN,
      10 * MIN,
      0,
      0,
    ])
    // Line A's availability is of its summed times (690 / 720), not the mean of 1 and 210/240.
    expect(a.availability).toBeCloseTo(690 / 720, 12)
    // x loses (480 - 450) min = 60 parts of 30 s; m loses (240 - 200) min = 40 parts of 60 s.
    expect(constraintOf(lineA)).toBe('x')
  })
})
