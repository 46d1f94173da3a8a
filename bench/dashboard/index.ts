import { launchChromium } from '../../harness/chromium'
import { ServiceProcess } from '../../harness/service-process'
import { SimulatorProcess } from '../../harness/simulator-process'
import { waitFor } from '../../harness/services'
import { newBenchRun } from '../e2e/bench-run'
import { round } from '../lib/sampler'
import type { BenchStack } from '../lib/stack'
import {
  FIRST_LOAD,
  READ_RECORDED,
  RECORDERS,
  RESET_RECORDED,
  type FirstLoad,
  type Recorded,
} from './page-probes'

export type DashboardOptions = {
  machines: number
  /** Simulated seconds per real second: how hard the fleet changes while measured. */
  speed: number
  /** Seconds the page is watched while updates stream. */
  seconds: number
}

export type DashboardResult = {
  machines: number
  speed: number
  /** Navigation start to the grid showing every tile (the page's own performance mark). */
  gridReadyMs: number
  /** Of which: to the stream's `hello`, then to the fleet's list read. */
  streamOpenMs: number
  fleetReadMs: number
  tiles: number
  /** Messages the service settled per second while the page was watched. */
  messagesPerSecond: number
  seconds: number
  frames: { count: number; perSecond: number; p50Ms: number; p99Ms: number; maxMs: number }
  longTasks: { count: number; totalMs: number; maxMs: number; busyShare: number }
}

type Pipeline = { messagesProcessed: number }

/**
 * The dashboard with a plant of `machines` (the simulator, as a user runs it): how long the
 * page takes to show every tile, then its frames and long tasks while the fleet's updates
 * stream in, in headless Chromium on the same machine as the service.
 */
export async function measureDashboard(
  stack: BenchStack,
  options: DashboardOptions,
  log: (line: string) => void,
): Promise<DashboardResult> {
  const run = await newBenchRun(stack)
  const service = await ServiceProcess.start(run.env)
  const simulator = SimulatorProcess.start(stack.mqttUrl, run.runId, [
    '--machines',
    String(options.machines),
    '--speed',
    String(options.speed),
    // A break would leave the machines idle and the charts still: the figures need them moving.
    '--round-the-clock',
  ])
  const chromium = await launchChromium({ width: 1440, height: 900 })
  try {
    log(`dashboard: ${options.machines} simulated machines at speed ${options.speed}`)
    await waitFor(
      `${options.machines} machines listed`,
      async () => {
        if (simulator.exitCode !== null) throw new Error(`simulator exited:\n${simulator.logs()}`)
        const { body } = await service.get<{ items: unknown[] }>(
          `/api/v1/machines?limit=1000&offset=${options.machines - 1}`,
        )
        return body.items.length > 0 ? true : undefined
      },
      120_000,
    )
    const page = await chromium.context.newPage()
    await page.addInitScript(RECORDERS)
    await page.goto(`${service.url}/`)
    // Polled from outside: the page's CSP forbids the eval that waitForFunction needs.
    const ready = await waitFor(
      'the grid of every tile',
      async () => (await page.evaluate<FirstLoad | null>(FIRST_LOAD)) ?? undefined,
      60_000,
      50,
    )
    log(`dashboard: grid of ${ready.tiles} tiles ready at ${round(ready.gridReady, 0)} ms`)

    const before = (await service.get<Pipeline>('/api/v1/pipeline')).body
    const started = Date.now()
    await page.evaluate(RESET_RECORDED)
    await page.waitForTimeout(options.seconds * 1000)
    const recorded = await page.evaluate<Recorded>(READ_RECORDED)
    const elapsed = (Date.now() - started) / 1000
    const after = (await service.get<Pipeline>('/api/v1/pipeline')).body
    return {
      machines: options.machines,
      speed: options.speed,
      gridReadyMs: round(ready.gridReady, 0),
      streamOpenMs: round(ready.streamOpen, 0),
      fleetReadMs: round(ready.fleetRead, 0),
      tiles: ready.tiles,
      messagesPerSecond: round((after.messagesProcessed - before.messagesProcessed) / elapsed, 0),
      seconds: round(elapsed, 1),
      frames: frameFigures(recorded.frames, elapsed),
      longTasks: longTaskFigures(recorded.longTasks, elapsed),
    }
  } finally {
    await chromium.close()
    await simulator.stop()
    await service.kill('SIGTERM')
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
}

function frameFigures(intervals: number[], seconds: number): DashboardResult['frames'] {
  const sorted = [...intervals].sort((a, b) => a - b)
  return {
    count: sorted.length,
    perSecond: round(sorted.length / seconds, 1),
    p50Ms: round(quantile(sorted, 0.5), 1),
    p99Ms: round(quantile(sorted, 0.99), 1),
    maxMs: round(sorted[sorted.length - 1] ?? 0, 1),
  }
}

function longTaskFigures(durations: number[], seconds: number): DashboardResult['longTasks'] {
  const totalMs = durations.reduce((sum, d) => sum + d, 0)
  return {
    count: durations.length,
    totalMs: round(totalMs, 0),
    maxMs: round(Math.max(0, ...durations), 0),
    busyShare: round(totalMs / (seconds * 1000), 3),
  }
}
