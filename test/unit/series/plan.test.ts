import type { RunState } from '../../../src/domain/oee'
import { planBatch, type MachineClock, type SeriesEvent } from '../../../src/series/plan'

const T0 = Date.parse('2024-03-01T08:00:00.000Z')
const MIN = 60_000
const HOUR = 3_600_000
const NO_LIMIT = { minute: Number.POSITIVE_INFINITY, hour: Number.POSITIVE_INFINITY }

const state = (at: number, s: Exclude<RunState, 'unknown'>, machineId = 'm1') =>
  ({ type: 'MachineStateChanged', machineId, at, state: s }) satisfies SeriesEvent
const part = (at: number, damaged = false, idealMs: number | null = 30_000, machineId = 'm1') =>
  ({ type: 'PartProduced', machineId, at, damaged, idealMs }) satisfies SeriesEvent
const reading = (at: number, metrics: Record<string, number>, machineId = 'm1') =>
  ({ type: 'MachineMetricsRecorded', machineId, at, metrics }) satisfies SeriesEvent

const none = () => undefined

describe('planBatch', () => {
  it('splits a state’s time at each minute and hour edge it crosses', () => {
    const plan = planBatch(
      [state(T0 + 30_000, 'running'), state(T0 + 2 * MIN + 15_000, 'idle')],
      none,
      NO_LIMIT,
    )
    const minutes = plan.machines.minute.map((c) => [c.bucket - T0, c.plannedMs, c.runningMs])
    expect(minutes).toEqual([
      [0, 30_000, 30_000],
      [MIN, MIN, MIN],
      [2 * MIN, 15_000, 15_000],
    ])
    expect(plan.machines.hour).toEqual([
      expect.objectContaining({ bucket: T0, plannedMs: 105_000, runningMs: 105_000 }),
    ])
    expect(plan.clocks.get('m1')).toEqual({ state: 'idle', since: T0 + 2 * MIN + 15_000 })
  })

  // Offline (its edge node or device died) counts exactly like down, as in the live OEE.
  it.each(['down', 'offline'] as const)(
    'counts planned but not running time while idle or %s, and nothing in maintenance',
    (stopped) => {
      const plan = planBatch(
        [
          state(T0, 'idle'),
          state(T0 + 10_000, stopped),
          state(T0 + 25_000, 'maintenance'),
          state(T0 + 50_000, 'running'),
          part(T0 + 59_000),
        ],
        none,
        NO_LIMIT,
      )
      const cell = expect.objectContaining({
        plannedMs: 25_000 + 9_000,
        runningMs: 9_000,
        produced: 1,
      })
      expect(plan.machines.minute).toEqual([cell])
      expect(plan.plant.minute).toEqual([cell])
    },
  )

  it('carries a state across an hour edge into both hours', () => {
    const start = T0 + HOUR - 10_000
    const plan = planBatch([state(start, 'running'), part(start + 40_000)], none, NO_LIMIT)
    expect(plan.machines.hour.map((c) => [c.bucket - T0, c.runningMs])).toEqual([
      [0, 10_000],
      [HOUR, 30_000],
    ])
  })

  it('resumes from a stored clock and counts its state up to the first event', () => {
    const clock: MachineClock = { state: 'running', since: T0 }
    const plan = planBatch([reading(T0 + 20_000, { temp: 1 })], () => clock, NO_LIMIT)
    expect(plan.machines.minute).toEqual([
      expect.objectContaining({ bucket: T0, plannedMs: 20_000, runningMs: 20_000 }),
    ])
    expect(plan.clocks.get('m1')).toEqual({ state: 'running', since: T0 + 20_000 })
  })

  it('counts no time for an event earlier than the clock, and never moves the clock back', () => {
    const plan = planBatch(
      [state(T0 + MIN, 'running'), state(T0, 'idle'), part(T0 + 90_000)],
      none,
      NO_LIMIT,
    )
    // The late idle applies from the clock on: 30 s idle, no running time.
    expect(plan.machines.minute).toEqual([
      expect.objectContaining({ bucket: T0 + MIN, plannedMs: 30_000, runningMs: 0, produced: 1 }),
    ])
    expect(plan.clocks.get('m1')).toEqual({ state: 'idle', since: T0 + 90_000 })
  })

  it('puts a reading exactly on an edge in the bucket that starts there', () => {
    const plan = planBatch(
      [reading(T0 + MIN - 1, { t: 1 }), reading(T0 + MIN, { t: 5 })],
      none,
      NO_LIMIT,
    )
    expect(plan.metrics.minute.map((c) => [c.bucket - T0, c.count, c.sum])).toEqual([
      [0, 1, 1],
      [MIN, 1, 5],
    ])
    expect(plan.metrics.hour).toEqual([
      expect.objectContaining({ count: 2, sum: 6, min: 1, max: 5, last: 5, lastAt: T0 + MIN }),
    ])
  })

  it('keeps the last reading by time, not by arrival, and every raw reading', () => {
    const plan = planBatch(
      [reading(T0 + 20_000, { t: 2, p: 7 }), reading(T0 + 10_000, { t: 9 })],
      none,
      NO_LIMIT,
    )
    const t = plan.metrics.minute.find((c) => c.metric === 't')
    expect(t).toMatchObject({ count: 2, sum: 11, min: 2, max: 9, last: 2, lastAt: T0 + 20_000 })
    expect(plan.readings).toHaveLength(3)
    expect(plan.metricNames).toEqual([
      { machineId: 'm1', metric: 't' },
      { machineId: 'm1', metric: 'p' },
    ])
  })

  it('counts parts, scrap and ideal time, and sums machines into the plant', () => {
    const plan = planBatch(
      [
        part(T0 + 1000, false, 30_000, 'a'),
        part(T0 + 2000, true, 30_000, 'a'),
        part(T0 + 3000, false, null, 'b'),
      ],
      none,
      NO_LIMIT,
    )
    expect(plan.machines.minute).toEqual([
      expect.objectContaining({ machineId: 'a', produced: 2, scrapped: 1, idealMs: 60_000 }),
      expect.objectContaining({ machineId: 'b', produced: 1, scrapped: 0, idealMs: 0 }),
    ])
    expect(plan.plant.minute).toEqual([
      expect.objectContaining({
        machineId: null,
        bucket: T0,
        produced: 3,
        scrapped: 1,
        idealMs: 60_000,
      }),
    ])
  })

  it('splits a long state only over the span each grain keeps', () => {
    const plan = planBatch([state(T0, 'running'), state(T0 + 10 * HOUR, 'idle')], none, {
      minute: 5 * MIN,
      hour: Number.POSITIVE_INFINITY,
    })
    expect(plan.machines.minute).toHaveLength(5)
    expect(plan.machines.minute[0]?.bucket).toBe(T0 + 10 * HOUR - 5 * MIN)
    expect(plan.machines.hour).toHaveLength(10)
  })
})
