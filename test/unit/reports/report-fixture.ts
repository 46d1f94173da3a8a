import type { KpiAnswer, ShiftReport } from '../../../src/reports'

const FROM = '2026-12-07T05:00:00.000Z'
const TO = '2026-12-07T13:00:00.000Z'

/** A KPI answer as the API gives it, with `changes`. */
export function kpis(changes: Partial<KpiAnswer> = {}): KpiAnswer {
  return {
    scope: 'line',
    id: 'turning',
    from: FROM,
    to: TO,
    plannedBusyMs: 27_000_000,
    runMs: 22_950_000,
    downtimeMs: 4_050_000,
    availability: 0.85,
    performance: 0.912345,
    quality: 0.98,
    oee: 0.7598,
    good: 4900,
    scrap: 100,
    produced: 5000,
    firstPassYield: 0.98,
    mtbfMs: 7_650_000,
    mttrMs: 300_000,
    failures: 3,
    losses: {
      breakdown: 900_000,
      setupAdjustment: 1_800_000,
      smallStop: 450_000,
      reducedSpeed: 2_000_000,
      startupReject: 0,
      productionReject: 120_000,
    },
    downtimeByReason: [],
    constraint: '3',
    ...changes,
  }
}

/**
 * An early shift of two lines. Some text is hostile: a formula, a quote, a comma, a line
 * break, markup.
 */
export function shiftReport(): ShiftReport {
  return {
    plant: { name: 'Plant 1', timeZone: 'Europe/Berlin' },
    period: { name: 'early 2026-12-07', from: FROM, to: TO },
    lines: [
      { id: 'turning', name: 'Turning line', area: 'Machining', kpis: kpis() },
      {
        id: 'milling',
        name: 'Milling, "fast" line',
        area: 'Machining',
        kpis: kpis({
          id: 'milling',
          availability: null,
          oee: null,
          constraint: null,
          mtbfMs: null,
        }),
      },
    ],
    totals: kpis({ scope: 'site', id: 'plant-1', produced: 10_000, good: 9800, scrap: 200 }),
    downtime: [
      {
        id: 'd1',
        machineId: '3',
        lineId: 'turning',
        startedAt: '2026-12-07T07:12:30.000Z',
        endedAt: '2026-12-07T07:27:30.000Z',
        durationMs: 900_000,
        state: 'down',
        reasonCode: 'BRK-SPINDLE',
        reasonName: 'Spindle failure',
        category: 'breakdown',
        planned: false,
        classifiedBy: null,
      },
      {
        id: 'd2',
        machineId: '7',
        lineId: 'milling',
        startedAt: '2026-12-07T12:50:00.000Z',
        endedAt: null,
        durationMs: 600_000,
        state: 'idle',
        reasonCode: '=HYPERLINK("http://evil.example","x")',
        reasonName: '<script>alert(1)</script>\nsecond line',
        category: 'unqualified',
        planned: false,
        classifiedBy: '@supervisor',
      },
    ],
    pareto: [
      { code: 'SETUP', name: 'Changeover', category: 'setup-adjustment', ms: 1_800_000, count: 3 },
      {
        code: 'BRK-SPINDLE',
        name: 'Spindle failure',
        category: 'breakdown',
        ms: 900_000,
        count: 1,
      },
      { code: '-1+1', name: 'Odd code', category: 'unqualified', ms: 300_000, count: 2 },
    ],
  }
}
