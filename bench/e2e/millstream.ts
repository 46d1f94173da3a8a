import { ServiceProcess } from '../../harness/service-process'
import { drain, measureThroughput, type ThroughputWindow } from '../lib/closed-loop'
import { memory } from '../../harness/process-memory'
import { readCounters } from '../lib/service-metrics'
import { round, sleep } from '../lib/sampler'
import type { BenchServices } from '../lib/types'
import { LoadProcess } from '../load/load-process'
import { dataPointsPerMessage, type LoadMix } from '../load/messages'
import { newBenchRun } from './bench-run'
import { eventLatencyProbe, latencyAt, type LatencyResult } from './latency-at'
import { verifyDelivery, type Delivery } from './verify-delivery'

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
  verified: Delivery
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
  const { runId, kafkaPrefix, databaseUrl, env } = await newBenchRun(services)
  const service = await ServiceProcess.start(
    { ...env, ...options.serviceEnv },
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

    const probe = await eventLatencyProbe(services.kafkaBrokers, kafkaPrefix, runId)
    const at = (targetPerSecond: number): Promise<LatencyResult> => {
      log(`millstream: latency at ${targetPerSecond} messages/s for ${options.latencySeconds} s`)
      return latencyAt({ load, probe, done: relayed }, targetPerSecond, options.latencySeconds)
    }
    const latency = await at(Math.max(100, Math.round(window.perSecond / 2)))
    const latencyAtTarget =
      LATENCY_TARGET_PER_SECOND <= 0.9 * window.perSecond
        ? await at(LATENCY_TARGET_PER_SECOND)
        : null
    const final = await load.stop()
    await drain(load, relayed)
    await sleep(500)
    await probe.stop()

    const verified = await verifyDelivery(
      databaseUrl,
      services.kafkaBrokers,
      kafkaPrefix,
      final.acked,
    )
    if (verified.lost > 0) log(`millstream: LOST ${verified.lost} messages`)
    log(
      `millstream: the event log on disk: ${(verified.logBytesPerMillionEvents / 1e6).toFixed(0)} MB per million events`,
    )
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
