import { newBenchRun } from '../e2e/bench-run'
import { round } from '../lib/sampler'
import type { BenchStack } from '../lib/stack'
import { measureTopology, type TopologyOptions, type TopologyResult } from './measure-topology'
import { TOPOLOGIES } from './topologies'

/** A cluster configuration's CPU per message over single-node mode's (1.3 = 30% more). */
export type CpuRatio = {
  name: string
  /** The millstream processes alone, at the maximum rate. */
  millstream: number
  /** millstream with PostgreSQL, Mosquitto and Kafka, at the maximum rate. */
  total: number
  /** The same two at the fixed latency rate. */
  millstreamAtRate: number
  totalAtRate: number
}

export type ClusterResult = {
  /** Single-node mode first. */
  configurations: TopologyResult[]
  ratios: CpuRatio[]
}

/**
 * Single-node mode against cluster mode (1 ingest + 1 process, 1 ingest + 2 process) under
 * the e2e part's load, each configuration on a database and topics of its own.
 */
export async function measureCluster(
  stack: BenchStack,
  options: TopologyOptions,
  log: (line: string) => void,
): Promise<ClusterResult> {
  const configurations: TopologyResult[] = []
  for (const topology of TOPOLOGIES) {
    const run = await newBenchRun(stack)
    configurations.push(await measureTopology(stack, topology, run, options, log))
  }
  const [single, ...cluster] = configurations
  if (!single) throw new Error('no single-node configuration')
  return { configurations, ratios: cluster.map((c) => cpuRatio(c, single)) }
}

function cpuRatio(c: TopologyResult, single: TopologyResult): CpuRatio {
  const over = (a: number, b: number) => round(a / Math.max(0.1, b), 2)
  return {
    name: c.name,
    millstream: over(c.cpuPerMessage.millstream, single.cpuPerMessage.millstream),
    total: over(c.cpuPerMessage.total, single.cpuPerMessage.total),
    millstreamAtRate: over(c.cpuPerMessageAtRate.millstream, single.cpuPerMessageAtRate.millstream),
    totalAtRate: over(c.cpuPerMessageAtRate.total, single.cpuPerMessageAtRate.total),
  }
}
