import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { projectPath } from '../src/project-root'
import { measureActorScale } from './actors/index'
import { measureCeilings } from './ceilings'
import { measureCluster, type ClusterResult } from './cluster/index'
import { clusterReport, clusterTargets } from './cluster/report'
import { clusterProblems } from './cluster/validity'
import { measureDashboard } from './dashboard/index'
import { dashboardProblems, dashboardReport, dashboardTargets } from './dashboard/report'
import { benchMillstream } from './e2e/millstream'
import { measureHttpLookups } from './http/index'
import { measureStream, streamProblems, streamReport, type StreamResult } from './stream/index'
import { startStack } from './lib/stack'
import { round } from './lib/sampler'
import { dataPointsPerMessage, DEFAULT_MIX, type LoadMix } from './load/messages'
import { measureLimit } from './limit/limit'
import { limitProblems, limitReport, limitTargets } from './limit/report'
import { benchNaive } from './naive/naive'
import { measureSeries, type SeriesResult } from './series/index'
import { seriesProblems, seriesReport, seriesTargets } from './series/report'
import { measureSparkplug } from './sparkplug/index'
import { sparkplugProblems, sparkplugReport, sparkplugTargets } from './sparkplug/report'
import {
  printable,
  printableHeader,
  slowestCeiling,
  targets,
  targetTable,
  type BenchResults,
  type Target,
} from './report'

const USAGE = `usage: npm run bench -- [--smoke] [--only cluster|stream|series|dashboard|sparkplug|limit] [--machines N] [--seconds S]
  --smoke      a few seconds per part, to prove the bench works (figures not comparable)
  --only       run only that part (cluster: single-node against cluster mode;
               stream: 10 live stream clients while the service runs at its maximum rate;
               series: chart reads over a week of minute rollups, the series follower's rate;
               dashboard: the plant page in headless Chromium, the simulator's --machines;
               sparkplug: Sparkplug B DDATA end to end beside JSON messages, 100 devices;
               limit: millstream against the limit pipeline, its services without domain work)
  --machines   virtual machines publishing (default 1000)
  --seconds    measured window of the end-to-end and cluster runs, after warm-up (default 30)
Starts PostgreSQL, Mosquitto and Kafka in .run/bench unless DATABASE_URL, MQTT_URL and
KAFKA_BROKERS name running ones; needs \`npm run build\` (the bench script does it).`

/** The durations of one run: the full bench, or the smoke variant CI runs. */
function plan(smoke: boolean, seconds: number) {
  return smoke
    ? {
        ceilingSeconds: 1,
        naive: [2, 3],
        millstream: [3, 5],
        limit: [3, 3],
        latencySeconds: 5,
        actors: 5_000,
        httpSeconds: 1,
        // Three configurations, each started, measured and stopped: kept well under a minute.
        cluster: {
          warmupSeconds: 1,
          seconds: 1,
          backlog: 2_000,
          latencyPerSecond: 200,
          latencySeconds: 2,
        },
        stream: { clients: 10, warmupSeconds: 1, seconds: 3 },
        series: { machines: 20, days: 7, requests: 10, events: 5_000 },
        sparkplug: { devices: 100, devicesPerNode: 10, warmupSeconds: 1, seconds: 3 },
      }
    : {
        ceilingSeconds: 10,
        naive: [5, 20],
        millstream: [10, seconds],
        limit: [10, seconds],
        latencySeconds: 15,
        actors: 100_000,
        httpSeconds: 10,
        cluster: {
          warmupSeconds: 10,
          seconds,
          backlog: 30_000,
          latencyPerSecond: 1_000,
          latencySeconds: 15,
        },
        stream: { clients: 10, warmupSeconds: 5, seconds },
        series: { machines: 1000, days: 7, requests: 50, events: 200_000 },
        sparkplug: { devices: 100, devicesPerNode: 10, warmupSeconds: 10, seconds },
      }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      machines: { type: 'string', default: String(DEFAULT_MIX.machines) },
      seconds: { type: 'string', default: '30' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (
    values.help ||
    (values.only &&
      !['cluster', 'stream', 'series', 'dashboard', 'sparkplug', 'limit'].includes(values.only))
  )
    return console.log(USAGE)
  const smoke = values.smoke ?? false
  const p = plan(smoke, Number(values.seconds))
  const mix: LoadMix = { ...DEFAULT_MIX, machines: Number(values.machines) }
  const log = (line: string) => console.log(`[bench] ${line}`)
  const startedAt = new Date().toISOString()

  const stack = startStack(log)
  const clusterRun = () => measureCluster(stack, { mix, ...p.cluster }, log)
  const limitRun = () =>
    measureLimit(stack, { mix, warmupSeconds: p.limit[0] ?? 0, seconds: p.limit[1] ?? 0 }, log)
  try {
    const header = () => ({ startedAt, smoke, machine: machine(), load: loadOf(mix) })
    // The operator's surface: each part reports and writes its own results file.
    const surfaceParts = {
      stream: async () =>
        reportStreamOnly({
          ...header(),
          stream: await measureStream(stack, { mix, ...p.stream }, log),
        }),
      series: async () =>
        reportSeriesOnly({ ...header(), series: await measureSeries(stack, p.series, log) }),
      dashboard: async () => {
        const options = {
          machines: mix.machines,
          speed: 1,
          seconds: smoke ? 3 : Number(values.seconds),
        }
        reportPartOnly(header(), 'dashboard', await measureDashboard(stack, options, log), {
          report: dashboardReport,
          targets: dashboardTargets,
          problems: dashboardProblems,
        })
      },
      sparkplug: async () =>
        reportPartOnly(header(), 'sparkplug', await measureSparkplug(stack, p.sparkplug, log), {
          report: sparkplugReport,
          targets: sparkplugTargets,
          problems: sparkplugProblems,
        }),
    }
    const only = values.only
    if (only === 'stream' || only === 'series' || only === 'dashboard' || only === 'sparkplug')
      return await surfaceParts[only]()
    if (values.only === 'cluster') {
      const header = { startedAt, smoke, machine: machine(), load: loadOf(mix) }
      return reportClusterOnly({ ...header, cluster: await clusterRun() })
    }
    if (only === 'limit')
      return reportPartOnly(header(), 'limit', await limitRun(), {
        report: limitReport,
        targets: limitTargets,
        problems: limitProblems,
      })
    const ceilings = await measureCeilings(stack, { ceilingSeconds: p.ceilingSeconds, smoke }, log)
    const naiveRun = (ordered: boolean) =>
      benchNaive(
        stack,
        { mix, warmupSeconds: p.naive[0] ?? 0, seconds: p.naive[1] ?? 0, ordered },
        log,
      )
    const naive = await naiveRun(true)
    const naiveConcurrent = await naiveRun(false)
    const millstream = await benchMillstream(
      stack,
      {
        mix,
        warmupSeconds: p.millstream[0] ?? 0,
        seconds: p.millstream[1] ?? 0,
        latencySeconds: p.latencySeconds,
      },
      log,
    )
    const limit = await limitRun()
    log(`actor scale: ${p.actors} machine actors`)
    const actorScale = await measureActorScale({ actors: p.actors })
    const cluster = await clusterRun()
    log('HTTP lookups, direct and through HAProxy')
    const http = await measureHttpLookups(stack, {
      seconds: p.httpSeconds,
      connections: 32,
      machines: 1000,
    })

    const slowest = slowestCeiling(ceilings)
    const partial = {
      startedAt,
      smoke,
      machine: machine(),
      load: loadOf(mix),
      ceilings,
      naive,
      naiveConcurrent,
      millstream,
      limit,
      actorScale,
      http,
      cluster,
      ratios: {
        millstreamOverNaive: round(
          millstream.throughput.perSecond / Math.max(1, naive.perSecond),
          1,
        ),
        millstreamOverSlowestCeiling: round(
          millstream.throughput.perSecond / Math.max(1, slowest.perSecond),
          2,
        ),
        slowestCeiling: slowest.name,
      },
    }
    const results: BenchResults = { ...partial, targets: targets(partial) }
    const file = writeResults(results)
    console.log(`\n${printable(results)}\n\nresults: ${path.relative(process.cwd(), file)}`)
    failOn(problems(results))
    for (const part of Object.values(surfaceParts)) await part()
  } finally {
    stack.stop()
  }
}

function machine(): BenchResults['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
  }
}

function loadOf(mix: LoadMix): BenchResults['load'] {
  return { ...mix, dataPointsPerMessage: round(dataPointsPerMessage(mix), 2) }
}

/** A run of the cluster part alone: its report, its results file, its problems. */
type ClusterOnly = Pick<BenchResults, 'startedAt' | 'smoke' | 'machine' | 'load'> & {
  cluster: ClusterResult
}

function reportClusterOnly(r: ClusterOnly): void {
  const results = { ...r, targets: clusterTargets(r.cluster) }
  const file = writeResults(results, 'cluster')
  console.log(
    `\n${printableHeader(r)}\n\n${clusterReport(r.cluster)}\n\n${targetTable(results.targets)}\n\nresults: ${path.relative(process.cwd(), file)}`,
  )
  failOn(clusterProblems(r.cluster))
}

/** A run of the live stream part alone. */
function reportStreamOnly(
  r: Pick<BenchResults, 'startedAt' | 'smoke' | 'machine' | 'load'> & { stream: StreamResult },
): void {
  const file = writeResults(r, 'stream')
  console.log(
    `\n${printableHeader(r)}\n\n${streamReport(r.stream)}\n\nresults: ${path.relative(process.cwd(), file)}`,
  )
  failOn(streamProblems(r.stream))
}

/** A run of the series part alone: its report, its results file, its problems. */
function reportSeriesOnly(
  r: Pick<BenchResults, 'startedAt' | 'smoke' | 'machine' | 'load'> & { series: SeriesResult },
): void {
  const results = { ...r, targets: seriesTargets(r.series) }
  const file = writeResults(results, 'series')
  console.log(
    `\n${printableHeader(r)}\n\n${seriesReport(r.series)}\n\n${targetTable(results.targets)}\n\nresults: ${path.relative(process.cwd(), file)}`,
  )
  failOn(seriesProblems(r.series))
}

/** A run of one part alone: its report and targets, its results file, its problems. */
function reportPartOnly<R>(
  header: Pick<BenchResults, 'startedAt' | 'smoke' | 'machine' | 'load'>,
  part: string,
  result: R,
  how: { report(r: R): string; targets(r: R): Target[]; problems(r: R): string[] },
): void {
  const targets = how.targets(result)
  const results = { ...header, [part]: result, targets }
  const file = writeResults(results, part)
  const report = [printableHeader(header), how.report(result), targetTable(targets)].join('\n\n')
  console.log(`\n${report}\n\nresults: ${path.relative(process.cwd(), file)}`)
  failOn(how.problems(result))
}

/**
 * Full runs are kept (dated) under bench/results/; smoke runs overwrite an ignored file. A run
 * of one part only carries that part's name.
 */
function writeResults(results: { startedAt: string; smoke: boolean }, part?: string): string {
  const dir = projectPath('bench', 'results')
  mkdirSync(dir, { recursive: true })
  const suffix = part ? `-${part}` : ''
  const file = results.smoke
    ? path.join(dir, `smoke${suffix}.tmp`)
    : path.join(dir, `${results.startedAt.slice(0, 16).replace(/[:T]/g, '-')}${suffix}.json`)
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  return file
}

function failOn(broken: string[]): void {
  if (broken.length === 0) return
  console.error(`bench: the run is not valid:\n- ${broken.join('\n- ')}`)
  process.exitCode = 1
}

/**
 * What makes a run invalid, whatever its speed (the smoke run in CI fails on these): lost
 * messages, a part that measured nothing, failed lookups.
 */
function problems(r: BenchResults): string[] {
  const found: string[] = []
  if (r.millstream.verified.lost > 0) found.push(`${r.millstream.verified.lost} messages lost`)
  if (r.millstream.verified.deadLetters > 0)
    found.push(`${r.millstream.verified.deadLetters} bench messages dead-lettered`)
  if (r.millstream.throughput.perSecond <= 0) found.push('millstream processed nothing')
  if (r.millstream.latency.samples === 0) found.push('no latency samples')
  if (r.millstream.latencyAtTarget?.samples === 0)
    found.push('no latency samples at the target rate')
  if (r.naive.perSecond <= 0 || r.naiveConcurrent.perSecond <= 0)
    found.push('a naive baseline processed nothing')
  for (const c of r.ceilings) if (c.perSecond <= 0) found.push(`ceiling ${c.name} measured nothing`)
  for (const h of r.http)
    if (h.errors + h.non2xx > 0 || h.requests === 0)
      found.push(`HTTP ${h.path}: ${h.errors} errors, ${h.non2xx} non-2xx, ${h.requests} requests`)
  if (r.actorScale.liveActorsAfterPassivation !== 0)
    found.push('actors still live after passivation')
  found.push(...clusterProblems(r.cluster))
  found.push(...limitProblems(r.limit))
  return found
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
