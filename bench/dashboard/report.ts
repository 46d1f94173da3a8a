import { table } from '../lib/table'
import type { Target } from '../lib/types'
import type { DashboardResult } from './index'

/** The dashboard part as a console table. */
export function dashboardReport(r: DashboardResult): string {
  return [
    `Dashboard: ${r.machines} machines (simulator at speed ${r.speed}), headless Chromium 1440×900`,
    table(
      ['figure', 'value'],
      [
        ['page load to every tile shown (ms)', r.gridReadyMs],
        ['  of which to the stream open (ms)', r.streamOpenMs],
        ['  of which to the fleet list read (ms)', r.fleetReadMs],
        ['tiles shown', r.tiles],
        ['messages settled/s while watched', r.messagesPerSecond],
        ['frames/s', r.frames.perSecond],
        ['frame interval p50 (ms)', r.frames.p50Ms],
        ['frame interval p99 (ms)', r.frames.p99Ms],
        ['longest frame interval (ms)', r.frames.maxMs],
        ['long tasks (over 50 ms)', r.longTasks.count],
        ['longest task (ms)', r.longTasks.maxMs],
        ['main thread in long tasks', `${round1(r.longTasks.busyShare * 100)}%`],
      ],
    ),
  ].join('\n')
}

const round1 = (x: number) => Math.round(x * 10) / 10

/** Goals: every tile within 2 s of navigation; updates never stall a frame for 100 ms. */
export function dashboardTargets(r: DashboardResult): Target[] {
  return [
    {
      what: 'dashboard: page load to every tile',
      goal: '≤ 2000 ms',
      measured: `${r.gridReadyMs} ms`,
      met: r.gridReadyMs <= 2000,
    },
    {
      what: 'dashboard: p99 frame interval under updates',
      goal: '≤ 100 ms',
      measured: `${r.frames.p99Ms} ms`,
      met: r.frames.p99Ms <= 100,
    },
  ]
}

/** What makes the run invalid: a grid short of tiles, or a page that drew no frames. */
export function dashboardProblems(r: DashboardResult): string[] {
  const found: string[] = []
  if (r.tiles !== r.machines) found.push(`dashboard showed ${r.tiles} of ${r.machines} tiles`)
  if (r.frames.count === 0) found.push('dashboard drew no frames while watched')
  if (r.messagesPerSecond <= 0) found.push('no messages settled while the dashboard was watched')
  return found
}
