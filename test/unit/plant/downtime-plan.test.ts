import type { RunState } from '../../../src/domain/oee'
import { planDowntime, type DowntimeClock } from '../../../src/plant/downtime-plan'
import type { SeriesEvent } from '../../../src/series/plan'

let position = 0
const entry = (event: SeriesEvent) => ({ cursor: { txId: '7', position: ++position }, event })
const state = (machineId: string, at: number, s: RunState, reason: string | null = null) =>
  entry({ type: 'MachineStateChanged', machineId, at, state: s, reason })
const part = (machineId: string, at: number, damaged: boolean) =>
  entry({ type: 'PartProduced', machineId, at, damaged, idealMs: 30_000 })
const lines = (id: string) => (id.startsWith('press') ? 'presses' : undefined)
const none = () => undefined

describe('downtime records from committed events', () => {
  beforeEach(() => {
    position = 0
  })

  it('opens a record at each stop, ends it at the next change, and keeps the reason code', () => {
    const plan = planDowntime(
      [
        state('press-1', 0, 'running'),
        state('press-1', 1000, 'down', 'BRK'),
        state('press-1', 5000, 'running'),
        state('press-1', 9000, 'idle'),
      ],
      none,
      lines,
    )
    expect(plan.opened).toEqual([
      {
        id: '7-2',
        machineId: 'press-1',
        lineId: 'presses',
        state: 'down',
        startedAt: 1000,
        endedAt: 5000,
        reasonCode: 'BRK',
      },
      {
        id: '7-4',
        machineId: 'press-1',
        lineId: 'presses',
        state: 'idle',
        startedAt: 9000,
        endedAt: null,
        reasonCode: null,
      },
    ])
    expect(plan.clocks.get('press-1')).toEqual({ state: 'idle', since: 9000, openId: '7-4' })
  })

  it('splits a stop where its reason changes, the state staying the same', () => {
    const plan = planDowntime(
      [
        state('press-1', 0, 'idle', 'SETUP'),
        state('press-1', 4000, 'idle', 'BREAK'),
        state('press-1', 6000, 'running'),
      ],
      none,
      lines,
    )
    expect(plan.opened.map((r) => [r.state, r.startedAt, r.endedAt, r.reasonCode])).toEqual([
      ['idle', 0, 4000, 'SETUP'],
      ['idle', 4000, 6000, 'BREAK'],
    ])
  })

  it("applies a supervisor's reason to a record, the last one of a batch winning", () => {
    const classify = (recordId: string, reasonCode: string, by: string) =>
      entry({
        type: 'DowntimeClassified',
        machineId: 'press-1',
        at: 0,
        recordId,
        reasonCode,
        classifiedBy: by,
      })
    const plan = planDowntime(
      [
        classify('3-1', 'SETUP', 'anna'),
        classify('3-1', 'BRK', 'ben'),
        classify('4-2', 'SETUP', 'anna'),
      ],
      none,
      lines,
    )
    expect(plan.classified).toEqual([
      { id: '3-1', reasonCode: 'BRK', classifiedBy: 'ben' },
      { id: '4-2', reasonCode: 'SETUP', classifiedBy: 'anna' },
    ])
    expect([plan.opened, plan.ended, plan.clocks.size]).toEqual([[], [], 0])
  })

  it('ends a record an earlier batch opened, never before it began', () => {
    const earlier: DowntimeClock = { state: 'down', since: 5000, openId: '3-1' }
    const plan = planDowntime([state('press-1', 4000, 'running')], () => earlier, lines)
    expect(plan.ended).toEqual([{ id: '3-1', endedAt: 5000 }])
    expect(plan.opened).toEqual([])
  })

  it('adds parts up per machine, line and minute, scrap apart', () => {
    const plan = planDowntime(
      [
        part('press-1', 60_000, false),
        part('press-1', 119_999, true),
        part('press-1', 120_000, false),
      ],
      none,
      lines,
    )
    expect(plan.cells).toEqual([
      {
        machineId: 'press-1',
        lineId: 'presses',
        minute: 60_000,
        produced: 2,
        good: 1,
        idealMs: 60_000,
        scrapIdealMs: 30_000,
      },
      {
        machineId: 'press-1',
        lineId: 'presses',
        minute: 120_000,
        produced: 1,
        good: 1,
        idealMs: 30_000,
        scrapIdealMs: 0,
      },
    ])
  })

  it('records nothing of a machine no line places, but keeps its clock', () => {
    const plan = planDowntime([state('lathe', 0, 'down'), part('lathe', 0, false)], none, lines)
    expect([plan.opened, plan.cells]).toEqual([[], []])
    expect(plan.clocks.get('lathe')).toEqual({ state: 'down', since: 0, openId: null })
  })
})
