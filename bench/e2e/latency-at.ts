import { sleep } from '../lib/sampler'
import type { LoadProcess } from '../load/load-process'
import { KafkaLatencyProbe, type LatencySummary } from './kafka-latency'

export type LatencyResult = LatencySummary & { targetPerSecond: number; achievedPerSecond: number }

/** What a latency run drives and reads: the load, the probe, and the count of messages done. */
export type LatencyRig = {
  load: LoadProcess
  probe: KafkaLatencyProbe
  /** Messages fully handled so far (committed and on Kafka). */
  done: () => Promise<number>
}

/** A probe on the topics the bench's load ends up on (its production and telemetry events). */
export function eventLatencyProbe(
  brokers: string,
  kafkaPrefix: string,
  runId: string,
): Promise<KafkaLatencyProbe> {
  return KafkaLatencyProbe.start(
    brokers,
    [`${kafkaPrefix}.production`, `${kafkaPrefix}.telemetry`],
    `bench-latency-${runId}`,
  )
}

/**
 * Publish → consumed latency, open loop at `targetPerSecond` for `seconds`; the first third
 * (at most 3 s) is warm-up, not recorded. The load keeps that rate until told otherwise.
 */
export async function latencyAt(
  rig: LatencyRig,
  targetPerSecond: number,
  seconds: number,
): Promise<LatencyResult> {
  const doneBefore = await rig.done()
  const warmup = Math.min(3, seconds / 3)
  rig.load.rate(targetPerSecond)
  await sleep(warmup * 1000)
  rig.probe.recordFromNow()
  await sleep((seconds - warmup) * 1000)
  const achievedPerSecond = Math.round(((await rig.done()) - doneBefore) / seconds)
  return { ...rig.probe.summary(), targetPerSecond, achievedPerSecond }
}
