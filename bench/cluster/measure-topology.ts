import type { BenchRun } from '../e2e/bench-run'
import { eventLatencyProbe, latencyAt, type LatencyResult } from '../e2e/latency-at'
import { verifyDelivery, type Delivery } from '../e2e/verify-delivery'
import { drain, measureThroughput, type ThroughputWindow } from '../lib/closed-loop'
import { between, round, takeSample } from '../lib/sampler'
import type { ServiceCounters } from '../lib/service-metrics'
import type { BenchStack, ServiceName } from '../lib/stack'
import { LoadProcess } from '../load/load-process'
import type { LoadMix } from '../load/messages'
import { Cluster } from './cluster'
import { cpuPerMessage, type CpuPerMessage } from './cpu-per-message'
import type { Topology } from './topologies'

export type TopologyOptions = {
  mix: LoadMix
  warmupSeconds: number
  seconds: number
  /** Messages the load may run ahead of what is done (see measureThroughput). */
  backlog: number
  /** The fixed rate latency is measured at, the same for every configuration. */
  latencyPerSecond: number
  latencySeconds: number
}

/** What one configuration measured. */
export type TopologyResult = {
  name: string
  instances: { name: string; roles: string }[]
  /** The instance whose outbox relay led (every instance with Kafka runs one; one leads). */
  relayLeader: string
  /** Closed loop: as fast as it goes, counted when committed and on Kafka. */
  throughput: ThroughputWindow
  cpuPerMessage: CpuPerMessage
  /** Cores busy with anything but this configuration, its services and its load: the noise. */
  otherCores: number
  /** Open loop at the fixed rate: latency, and CPU per message at that rate. */
  latency: LatencyResult
  cpuPerMessageAtRate: CpuPerMessage
  /** Once the cluster was up (the first assignment not counted): any means the figures include one. */
  rebalances: number
  fencedCommits: number
  peakRssBytes: Record<string, number>
  verified: Delivery
}

type Rig = {
  load: LoadProcess
  done: () => Promise<number>
  pids: Record<string, number>
  cost: (window: Parameters<typeof cpuPerMessage>[0]) => CpuPerMessage
}

/**
 * One configuration on a fresh database and fresh topics: sustained messages/s (closed loop),
 * CPU per message by program in that window, then latency publish → consumed from Kafka at a
 * fixed rate, and at the end a check that every acknowledged message landed.
 */
export async function measureTopology(
  stack: BenchStack,
  topology: Topology,
  run: BenchRun,
  options: TopologyOptions,
  log: (line: string) => void,
): Promise<TopologyResult> {
  const cluster = await Cluster.start(topology, run)
  try {
    const load = await LoadProcess.forBench(stack.mqttUrl, run.runId, options.mix)
    try {
      const watched = Object.keys(stack.servicePids) as ServiceName[]
      const rig: Rig = {
        load,
        done: () => cluster.done(),
        pids: { ...cluster.pids(), ...stack.servicePids, load: load.pid },
        cost: (window) => cpuPerMessage(window, Object.keys(cluster.pids()), watched),
      }
      return await measureRunning({ stack, topology, run, cluster, rig, options, log })
    } finally {
      await load.stop()
    }
  } finally {
    await cluster.stop()
  }
}

/** Everything one configuration's measurement uses, once it is up. */
type Running = {
  stack: BenchStack
  topology: Topology
  run: BenchRun
  cluster: Cluster
  rig: Rig
  options: TopologyOptions
  log: (line: string) => void
}

async function measureRunning({
  stack,
  topology,
  run,
  cluster,
  rig,
  options,
  log,
}: Running): Promise<TopologyResult> {
  const started = await cluster.counters()
  log(`${topology.name}: closed loop, ${options.warmupSeconds} s warm-up + ${options.seconds} s`)
  const throughput = await measureThroughput({
    ...rig,
    warmupSeconds: options.warmupSeconds,
    seconds: options.seconds,
    backlog: options.backlog,
  })
  log(`${topology.name}: ${throughput.perSecond} messages/s; draining`)
  await drain(rig.load, rig.done)
  log(`${topology.name}: latency at ${options.latencyPerSecond} messages/s`)
  const { latency, atRate, published } = await latencyPhase(stack, run, rig, options)
  const verified = await verifyDelivery(
    run.databaseUrl,
    stack.kafkaBrokers,
    run.kafkaPrefix,
    published,
  )
  if (verified.lost > 0) log(`${topology.name}: LOST ${verified.lost} messages`)
  return {
    name: topology.name,
    instances: topology.instances.map((i) => ({
      name: i.name,
      roles: i.roles?.join(',') ?? 'default',
    })),
    ...duringRun(started, await cluster.counters()),
    throughput,
    cpuPerMessage: rig.cost(throughput),
    otherCores: otherCores(throughput, rig.pids),
    latency,
    cpuPerMessageAtRate: rig.cost(atRate),
    peakRssBytes: cluster.peakRss(),
    verified,
  }
}

/**
 * Latency at the fixed rate, with the CPU it took; then the load stops and everything it
 * published is waited for. Returns the count the broker acknowledged over the whole run.
 */
async function latencyPhase(
  stack: BenchStack,
  run: BenchRun,
  rig: Rig,
  options: TopologyOptions,
): Promise<{ latency: LatencyResult; atRate: ReturnType<typeof between>; published: number }> {
  const probe = await eventLatencyProbe(stack.kafkaBrokers, run.kafkaPrefix, run.runId)
  try {
    const before = await takeSample(rig.done, rig.pids)
    const latency = await latencyAt(
      { load: rig.load, probe, done: rig.done },
      options.latencyPerSecond,
      options.latencySeconds,
    )
    const atRate = between(before, await takeSample(rig.done, rig.pids))
    const final = await rig.load.stop()
    await drain(rig.load, rig.done)
    return { latency, atRate, published: final.acked }
  } finally {
    await probe.stop()
  }
}

/** What the instances' counters say of the run: who relayed, and any change of partitions. */
function duringRun(
  started: Record<string, ServiceCounters>,
  ended: Record<string, ServiceCounters>,
): Pick<TopologyResult, 'relayLeader' | 'rebalances' | 'fencedCommits'> {
  const since = (key: 'rebalances' | 'fencedCommits') =>
    Object.entries(ended).reduce((s, [name, c]) => s + c[key] - (started[name]?.[key] ?? 0), 0)
  const leader = Object.entries(ended).sort((a, b) => b[1].relayed - a[1].relayed)[0]
  return {
    relayLeader: leader?.[0] ?? '',
    rebalances: since('rebalances'),
    fencedCommits: since('fencedCommits'),
  }
}

function otherCores(window: ThroughputWindow, pids: Record<string, number>): number {
  const ours = Object.keys(pids).reduce((sum, name) => sum + (window.cores[name] ?? 0), 0)
  return round(Math.max(0, window.machineCores - ours), 2)
}
