import { Kafka, logLevel } from 'kafkajs'
import { allTopics } from '../../src/publish/avro/event-records'
import { createTestDatabase, queryOnce, uniqueName } from '../../harness/services'
import { ServiceProcess } from '../../harness/service-process'
import { drain, measureThroughput, type ThroughputWindow } from '../lib/closed-loop'
import { memory } from '../../harness/process-memory'
import { readCounters } from '../lib/service-metrics'
import { round, sleep } from '../lib/sampler'
import type { BenchServices } from '../lib/types'
import { LoadProcess } from '../load/load-process'
import { dataPointsPerMessage, type LoadMix } from '../load/messages'
import { KafkaLatencyProbe, type LatencySummary } from './kafka-latency'

export type EndToEndOptions = {
  mix: LoadMix
  warmupSeconds: number
  seconds: number
  latencySeconds: number
  /** Extra service environment (settings to try). */
  serviceEnv?: Record<string, string>
  /** Extra arguments for the service's node (e.g. `--cpu-prof` while profiling). */
  serviceNodeArgs?: string[]
}

/** The rate at which the issue sets its latency target. */
export const LATENCY_TARGET_PER_SECOND = 10_000

export type LatencyResult = LatencySummary & { targetPerSecond: number; achievedPerSecond: number }

export type EndToEndResult = {
  throughput: ThroughputWindow & {
    dataPointsPerSecond: number
    groupCommit: { transactions: number; writesPerTransaction: number; msPerTransaction: number }
  }
  /** At half the measured maximum. */
  latency: LatencyResult
  /** At LATENCY_TARGET_PER_SECOND, when that is at most 90% of the maximum (else null). */
  latencyAtTarget: LatencyResult | null
  service: { peakRssBytes: number }
  /** Every message the broker acknowledged is in the event log and on Kafka. */
  verified: {
    published: number
    eventsInLog: number
    deadLetters: number
    kafkaRecords: number
    lost: number
  }
}

/**
 * millstream end to end on the real services: the built service as its own process, the load
 * from another. Throughput counts a message once its event is committed in PostgreSQL and
 * acknowledged by Kafka (the relay's published count); latency runs at half that rate, then at
 * the target rate if the maximum leaves room for it.
 */
export async function benchMillstream(
  services: BenchServices,
  options: EndToEndOptions,
  log: (line: string) => void,
): Promise<EndToEndResult> {
  const runId = uniqueName('b')
  const kafkaPrefix = `bench.${runId}`
  const databaseUrl = await createTestDatabase()
  const service = await ServiceProcess.start(
    {
      DATABASE_URL: databaseUrl,
      MQTT_URL: services.mqttUrl,
      KAFKA_BROKERS: services.kafkaBrokers,
      MQTT_CLIENT_ID: `millstream-${runId}`,
      MQTT_TOPIC_PREFIX: runId,
      KAFKA_TOPIC_PREFIX: kafkaPrefix,
      LOG_LEVEL: 'warn',
      // The load keeps every machine busy; silence alerts would only add events at the end.
      HEARTBEAT_TIMEOUT_MS: String(3_600_000),
      ...options.serviceEnv,
    },
    options.serviceNodeArgs,
  )
  const load = await LoadProcess.forBench(services.mqttUrl, runId, options.mix)
  const relayed = async () => (await readCounters(service.url)).relayed
  try {
    log(
      `millstream: ${options.mix.machines} machines, closed loop, ${options.warmupSeconds} s warm-up + ${options.seconds} s`,
    )
    const before = await readCounters(service.url)
    const window = await measureThroughput({
      load,
      done: relayed,
      pids: { service: service.pid, load: load.pid },
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
      backlog: 30_000,
    })
    const after = await readCounters(service.url)
    const commits = after.commits - before.commits
    const groupCommit = {
      transactions: commits,
      writesPerTransaction: Math.round(
        (after.commitWrites - before.commitWrites) / Math.max(1, commits),
      ),
      msPerTransaction: round(
        ((after.commitSeconds - before.commitSeconds) * 1000) / Math.max(1, commits),
        1,
      ),
    }
    log(
      `millstream: ${window.perSecond} messages/s (commits ${JSON.stringify(groupCommit)}); draining`,
    )
    await drain(load, relayed)

    const probe = await KafkaLatencyProbe.start(
      services.kafkaBrokers,
      [`${kafkaPrefix}.production`, `${kafkaPrefix}.telemetry`],
      `bench-latency-${runId}`,
    )
    const latencyAt = async (targetPerSecond: number): Promise<LatencyResult> => {
      log(`millstream: latency at ${targetPerSecond} messages/s for ${options.latencySeconds} s`)
      const relayedBefore = await relayed()
      const warmup = Math.min(3, options.latencySeconds / 3)
      load.rate(targetPerSecond)
      await sleep(warmup * 1000)
      probe.recordFromNow()
      await sleep((options.latencySeconds - warmup) * 1000)
      const achievedPerSecond = Math.round(
        ((await relayed()) - relayedBefore) / options.latencySeconds,
      )
      return { ...probe.summary(), targetPerSecond, achievedPerSecond }
    }
    const latency = await latencyAt(Math.max(100, Math.round(window.perSecond / 2)))
    const latencyAtTarget =
      LATENCY_TARGET_PER_SECOND <= 0.9 * window.perSecond
        ? await latencyAt(LATENCY_TARGET_PER_SECOND)
        : null
    const final = await load.stop()
    await drain(load, relayed)
    await sleep(500)
    await probe.stop()

    const verified = await verify(databaseUrl, services.kafkaBrokers, kafkaPrefix, final.acked)
    if (verified.lost > 0) log(`millstream: LOST ${verified.lost} messages`)
    return {
      throughput: {
        ...window,
        groupCommit,
        dataPointsPerSecond: Math.round(window.perSecond * dataPointsPerMessage(options.mix)),
      },
      latency,
      latencyAtTarget,
      service: { peakRssBytes: memory(service.pid).peakRssBytes },
      verified,
    }
  } finally {
    await load.stop()
    await service.kill('SIGTERM')
  }
}

/** Counts what landed: events in the log, dead letters, and records on the Kafka topics. */
async function verify(
  databaseUrl: string,
  brokers: string,
  kafkaPrefix: string,
  published: number,
): Promise<EndToEndResult['verified']> {
  const [log] = await queryOnce<{ events: number; dead: number }>(
    databaseUrl,
    `SELECT (SELECT count(*) FROM event_log WHERE type <> 'DeadLetter')::int AS events,
            (SELECT count(*) FROM dead_letters)::int AS dead`,
  )
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin()
  await admin.connect()
  let kafkaRecords = 0
  try {
    for (const topic of allTopics(kafkaPrefix)) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => [])
      for (const p of offsets) kafkaRecords += Number(p.high) - Number(p.low)
    }
  } finally {
    await admin.disconnect()
  }
  const eventsInLog = log?.events ?? 0
  return {
    published,
    eventsInLog,
    deadLetters: log?.dead ?? 0,
    kafkaRecords,
    lost: Math.max(0, published - eventsInLog - (log?.dead ?? 0), eventsInLog - kafkaRecords),
  }
}
