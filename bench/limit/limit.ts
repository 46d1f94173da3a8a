import { Kafka, logLevel } from 'kafkajs'
import { createTestDatabase, queryOnce, uniqueName } from '../../harness/services'
import { ServiceProcess } from '../../harness/service-process'
import { topicFor } from '../../src/publish/avro/event-records'
import { cpuPerMessage } from '../cluster/cpu-per-message'
import { newBenchRun } from '../e2e/bench-run'
import { verifyDelivery } from '../e2e/verify-delivery'
import { drain, measureThroughput, type ThroughputWindow } from '../lib/closed-loop'
import { readCounters } from '../lib/service-metrics'
import { round, sleep } from '../lib/sampler'
import type { BenchStack, ServiceName } from '../lib/stack'
import { LoadProcess } from '../load/load-process'
import type { LoadMix } from '../load/messages'
import { LIMIT_TABLE } from './limit-outbox'
import { LimitProcess, type LimitCounts } from './limit-process'

export type LimitOptions = { mix: LoadMix; warmupSeconds: number; seconds: number }

/** One pipeline's closed-loop window: messages/s and µs of CPU per message by program. */
export type PipelineCost = {
  perSecond: number
  /** The pipeline's own process: millstream's service, or the limit process. */
  process: number
  PostgreSQL: number
  Mosquitto: number
  Kafka: number
  load: number
  /** The process and the three services (the load is not part of the cost). */
  total: number
  /** Cores busy on the machine meanwhile, anything included (others' work is noise here). */
  machineCores: number
}

/** Every message the broker acknowledged has its row, and every row is on Kafka. */
export type LimitDelivery = {
  published: number
  rows: number
  kafkaRecords: number
  /** Records on Kafka beyond the rows (re-sent; consumers drop them by event id). */
  duplicates: number
  invalid: number
  lost: number
}

export type LimitResult = {
  /** millstream's window, measured right before the limit's the same way. */
  millstream: PipelineCost & { lost: number }
  limit: PipelineCost & { groupCommit: LimitGroupCommit; perSecondSeries: number[] }
  verified: LimitDelivery
  /** How the services' CPU was told apart: by the stack's pids, or every process of the program. */
  servicesCountedBy: 'pid' | 'program name'
  /** millstream / limit: messages/s, the process's CPU per message, and with the services. */
  ratios: { messagesPerSecond: number; serviceCpuPerMessage: number; totalCpuPerMessage: number }
}

type LimitGroupCommit = {
  transactions: number
  writesPerTransaction: number
  msPerTransaction: number
}

/** A system under test, as the paired measurement drives it. */
type Pipeline = {
  /** Its process, by the name its CPU is reported under. */
  name: string
  pid: number
  /** Messages done so far: committed and acknowledged by Kafka. */
  done: () => Promise<number>
  /** Told when the measured window ends, before the drain. */
  windowEnded?: () => void
}

/**
 * millstream and then the limit pipeline (limit-pipeline-main.ts), each on a fresh database
 * and topic prefix under the bench's load, measured alike: the closed loop of
 * bench/lib/closed-loop.ts with millstream's backlog, CPU by program from /proc with the
 * services by pid where the stack names them (other PostgreSQL, Kafka or Mosquitto processes
 * on the machine then do not count), a message counted once Kafka acknowledged its record.
 */
export async function measureLimit(
  stack: BenchStack,
  options: LimitOptions,
  log: (line: string) => void,
): Promise<LimitResult> {
  const millstream = await measureMillstream(stack, options, log)
  const runId = uniqueName('l')
  const kafkaPrefix = `bench.${runId}`
  const databaseUrl = await createTestDatabase()
  const limit = await LimitProcess.start({
    mqttUrl: stack.mqttUrl,
    databaseUrl,
    kafkaBrokers: stack.kafkaBrokers,
    topicPrefix: runId,
    kafkaPrefix,
    clientId: `limit-${runId}`,
  })
  try {
    // As bench/e2e/millstream.ts reads its group commits: from before the warm-up to the
    // window's end.
    const before = limit.counts
    let after = before
    const pipeline = {
      name: 'limit',
      pid: limit.pid,
      done: () => Promise.resolve(limit.counts.relayed),
      windowEnded: () => (after = limit.counts),
    }
    const { window, published } = await measurePipeline(stack, runId, pipeline, options, log)
    const verified = await verifyLimit(databaseUrl, stack.kafkaBrokers, kafkaPrefix, {
      published,
      invalid: limit.counts.invalid,
    })
    if (verified.lost > 0) log(`limit pipeline: LOST ${verified.lost} messages`)
    const cost = costOf(stack, window, pipeline.name)
    const ratio = (a: number, b: number) => round(a / Math.max(1, b), 2)
    return {
      millstream,
      limit: {
        ...cost,
        groupCommit: groupCommitOf(before, after),
        perSecondSeries: window.perSecondSeries,
      },
      verified,
      servicesCountedBy: Object.keys(stack.servicePids).length > 0 ? 'pid' : 'program name',
      ratios: {
        messagesPerSecond: ratio(millstream.perSecond, cost.perSecond),
        serviceCpuPerMessage: ratio(millstream.process, cost.process),
        totalCpuPerMessage: ratio(millstream.total, cost.total),
      },
    }
  } finally {
    await limit.stop()
  }
}

/** millstream's throughput window, as bench/e2e/millstream.ts starts and counts it. */
async function measureMillstream(
  stack: BenchStack,
  options: LimitOptions,
  log: (line: string) => void,
): Promise<LimitResult['millstream']> {
  const run = await newBenchRun(stack)
  const service = await ServiceProcess.start(run.env)
  try {
    const done = async () => (await readCounters(service.url)).relayed
    const pipeline = { name: 'service', pid: service.pid, done }
    const { window, published } = await measurePipeline(stack, run.runId, pipeline, options, log)
    await sleep(500)
    const verified = await verifyDelivery(
      run.databaseUrl,
      stack.kafkaBrokers,
      run.kafkaPrefix,
      published,
    )
    if (verified.lost > 0) log(`millstream (against the limit): LOST ${verified.lost} messages`)
    return { ...costOf(stack, window, pipeline.name), lost: verified.lost }
  } finally {
    // Counted and verified already: nothing to shut down politely for (SIGTERM takes seconds).
    await service.kill('SIGKILL')
  }
}

/**
 * The closed loop on one pipeline, then the load stopped and everything it published waited
 * for. Returns the window and how many messages the broker acknowledged in all.
 */
async function measurePipeline(
  stack: BenchStack,
  runId: string,
  pipeline: Pipeline,
  options: LimitOptions,
  log: (line: string) => void,
): Promise<{ window: ThroughputWindow; published: number }> {
  const what = pipeline.name === 'limit' ? 'limit pipeline' : 'millstream (against the limit)'
  const load = await LoadProcess.forBench(stack.mqttUrl, runId, options.mix)
  try {
    log(`${what}: closed loop, ${options.warmupSeconds} s warm-up + ${options.seconds} s`)
    const window = await measureThroughput({
      load,
      done: pipeline.done,
      pids: { [pipeline.name]: pipeline.pid, ...stack.servicePids, load: load.pid },
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
      backlog: 30_000,
    })
    pipeline.windowEnded?.()
    log(`${what}: ${window.perSecond} messages/s; draining`)
    const final = await load.stop()
    await drain(load, pipeline.done)
    return { window, published: final.acked }
  } finally {
    await load.stop()
  }
}

/** The limit's group commits between two reports: how many, their rows and their time. */
function groupCommitOf(before: LimitCounts, after: LimitCounts): LimitGroupCommit {
  const n = Math.max(1, after.commits - before.commits)
  const rows = after.commitWrites - before.commitWrites
  const ms = (after.commitSeconds - before.commitSeconds) * 1000
  return {
    transactions: after.commits - before.commits,
    writesPerTransaction: Math.round(rows / n),
    msPerTransaction: round(ms / n, 1),
  }
}

function costOf(stack: BenchStack, window: ThroughputWindow, process: string): PipelineCost {
  const watched = Object.keys(stack.servicePids) as ServiceName[]
  const cpu = cpuPerMessage(window, [process], watched)
  return {
    perSecond: window.perSecond,
    process: cpu.millstream,
    PostgreSQL: cpu.byProgram.PostgreSQL ?? 0,
    Mosquitto: cpu.byProgram.Mosquitto ?? 0,
    Kafka: cpu.byProgram.Kafka ?? 0,
    load: Math.round(((window.cores.load ?? 0) * 1e6) / Math.max(1, window.perSecond)),
    total: cpu.total,
    machineCores: window.machineCores,
  }
}

/** Counts what landed: rows in the limit table, records on its Kafka topic. */
async function verifyLimit(
  databaseUrl: string,
  brokers: string,
  kafkaPrefix: string,
  sent: { published: number; invalid: number },
): Promise<LimitDelivery> {
  const [table] = await queryOnce<{ rows: number }>(
    databaseUrl,
    `SELECT count(*)::int AS rows FROM ${LIMIT_TABLE}`,
  )
  const rows = table?.rows ?? 0
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  const partitions = await admin
    .fetchTopicOffsets(topicFor(kafkaPrefix, 'PartProduced'))
    .finally(() => admin.disconnect())
  const kafkaRecords = partitions.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)
  return {
    ...sent,
    rows,
    kafkaRecords,
    duplicates: Math.max(0, kafkaRecords - rows),
    lost: Math.max(0, sent.published - sent.invalid - rows, rows - kafkaRecords),
  }
}
