import path from 'node:path'
import pg from 'pg'
import { ServiceProcess } from '../../harness/service-process'
import { projectPath } from '../../src/project-root'
import { newBenchRun } from '../e2e/bench-run'
import { drain, measureThroughput, type ThroughputWindow } from '../lib/closed-loop'
import { sleep } from '../lib/sampler'
import { readCounters, type ServiceCounters } from '../lib/service-metrics'
import type { BenchServices } from '../lib/types'
import { LoadProcess } from '../load/load-process'
import { sparkplugDeviceIds } from './device-ids'

export type SparkplugBenchOptions = {
  /** Machines of each load: JSON machines, then Sparkplug devices. */
  devices: number
  devicesPerNode: number
  warmupSeconds: number
  seconds: number
}

/** One load's closed loop: messages counted once the part they report is committed. */
export type SparkplugPhase = ThroughputWindow & {
  /** Messages the broker acknowledged, parts committed for them, and the difference. */
  published: number
  committed: number
  lost: number
  /** Inputs the pipeline applied per message (a DDATA gives its part and its readings). */
  inputsPerMessage: number
}

export type SparkplugResult = {
  devices: number
  devicesPerNode: number
  json: SparkplugPhase
  sparkplug: SparkplugPhase & { rebirthRequests: number; deadLetters: number }
  /** Sparkplug DDATA/s over JSON messages/s. */
  ratio: number
}

/** The simulator's mapping: group millstream-sim, machine id = device id. */
const MAPPING = projectPath('deploy', 'sparkplug', 'simulator.json')
const GROUP = 'millstream-sim'
const BACKLOG = 20_000
const DRAIN_TIMEOUT_MS = 300_000
/** How long the count may stand still before a phase gives up waiting for it. */
const PRIME_TIMEOUT_MS = 30_000
const SETTLE_TIMEOUT_MS = 5_000

/**
 * Sparkplug B DDATA beside JSON, end to end on one service (its Sparkplug host reading the
 * simulator's mapping), each load in a closed loop of its own, one after the other: first
 * `devices` JSON machines publishing production reports, then as many Sparkplug devices,
 * born once, publishing DDATA of one part and one reading each. Both are counted the same
 * way: a message is done when its part is in its machine's committed part count.
 */
export async function measureSparkplug(
  services: BenchServices,
  options: SparkplugBenchOptions,
  log: (line: string) => void,
): Promise<SparkplugResult> {
  const run = await newBenchRun(services)
  const service = await ServiceProcess.start({ ...run.env, SPARKPLUG_MAPPING: MAPPING })
  const db = new pg.Client({ connectionString: run.databaseUrl })
  await db.connect()
  // A machine's committed part count, summed over the machines of one load: another run's
  // Sparkplug traffic on the same broker reaches this host too, as machines of its own.
  const parts = async (machines: readonly string[]) => {
    const { rows } = await db.query<{ n: number }>(
      'SELECT coalesce(sum(produced), 0)::float8 AS n FROM machine_state WHERE machine_id = ANY($1)',
      [machines],
    )
    return rows[0]?.n ?? 0
  }
  const phase = async (name: string, machines: readonly string[], load: LoadProcess) => {
    const base = await parts(machines)
    const done = async () => (await parts(machines)) - base
    const before = await readCounters(service.url)
    try {
      log(
        `sparkplug: ${name}, ${options.devices} machines, closed loop, ${options.warmupSeconds} s warm-up + ${options.seconds} s`,
      )
      // One message per machine first, committed before the clock starts: the service meets
      // each machine (and the host each device) once, outside the window.
      load.allow(options.devices)
      if ((await settled(done, options.devices, PRIME_TIMEOUT_MS)) < options.devices)
        throw new Error(`sparkplug: ${name}: the first message of each machine was not committed`)
      const window = await measureThroughput({
        load,
        done,
        pids: { service: service.pid, load: load.pid },
        warmupSeconds: options.warmupSeconds,
        seconds: options.seconds,
        backlog: BACKLOG,
      })
      log(`sparkplug: ${name} ${window.perSecond} messages/s; draining`)
      await drain(load, done, DRAIN_TIMEOUT_MS)
      // The load's own final count: what it had acknowledged when it stopped.
      const published = (await load.stop()).acked
      const committed = await settled(done, published, SETTLE_TIMEOUT_MS)
      return { window, published, committed, before, after: await readCounters(service.url) }
    } finally {
      await load.stop()
    }
  }
  try {
    const json = await phase(
      'JSON',
      Array.from({ length: options.devices }, (_, i) => String(i + 1)),
      await LoadProcess.forBench(services.mqttUrl, run.runId, {
        machines: options.devices,
        // Production reports only: one part a message, as each DDATA carries.
        telemetryEvery: Number.MAX_SAFE_INTEGER,
        readingsPerTelemetry: 0,
      }),
    )
    const sparkplug = await phase(
      'Sparkplug DDATA',
      sparkplugDeviceIds(run.runId, options.devices),
      await LoadProcess.fork(path.join(__dirname, 'publisher-main.js'), {
        type: 'start-sparkplug',
        mqttUrl: services.mqttUrl,
        group: GROUP,
        runId: run.runId,
        devices: options.devices,
        devicesPerNode: options.devicesPerNode,
        maxInFlight: 1000,
      }),
    )
    const jsonResult = result(json)
    const sparkplugResult = result(sparkplug)
    return {
      devices: options.devices,
      devicesPerNode: options.devicesPerNode,
      json: jsonResult,
      sparkplug: {
        ...sparkplugResult,
        rebirthRequests: sparkplug.after.sparkplugRebirths - sparkplug.before.sparkplugRebirths,
        deadLetters: sparkplug.after.sparkplugDeadLetters - sparkplug.before.sparkplugDeadLetters,
      },
      ratio:
        Math.round((sparkplugResult.perSecond / Math.max(1, jsonResult.perSecond)) * 100) / 100,
    }
  } finally {
    await db.end()
    await service.kill('SIGTERM')
  }
}

/** What `done` says once it reaches `count`, or once it has not moved for `timeoutMs`. */
async function settled(
  done: () => Promise<number>,
  count: number,
  timeoutMs: number,
): Promise<number> {
  let last = await done()
  let movedAt = Date.now()
  while (last < count && Date.now() - movedAt < timeoutMs) {
    await sleep(200)
    const n = await done()
    if (n > last) movedAt = Date.now()
    last = n
  }
  return last
}

function result(p: {
  window: ThroughputWindow
  published: number
  committed: number
  before: ServiceCounters
  after: ServiceCounters
}): SparkplugPhase {
  return {
    ...p.window,
    published: p.published,
    committed: p.committed,
    lost: Math.max(0, p.published - p.committed),
    inputsPerMessage:
      Math.round(((p.after.applied - p.before.applied) / Math.max(1, p.committed)) * 100) / 100,
  }
}
