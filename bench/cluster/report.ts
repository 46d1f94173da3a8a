import { format, table } from '../lib/table'
import type { Target } from '../lib/types'
import type { ClusterResult } from './index'
import type { TopologyResult } from './measure-topology'

/** Cluster mode may cost this much CPU per message, relative to single-node mode. */
const CPU_RATIO_TARGET = 1.3

/** The cluster part's console report: throughput, CPU per message, latency, the ratios. */
export function clusterReport(r: ClusterResult): string {
  const rate = r.configurations[0]?.latency.targetPerSecond ?? 0
  return [
    table(
      [
        'cluster mode vs single node',
        'messages/s',
        'µs CPU/msg millstream',
        'PostgreSQL',
        'Mosquitto',
        'Kafka',
        'total',
        `p50 ms at ${format(rate)}/s`,
        'p99 ms',
        'achieved/s',
      ],
      r.configurations.map(row),
    ),
    'µs CPU/msg: CPU time (user + system, /proc) per message over the closed-loop window; total = millstream + services.',
    `latency: publish → consumed from the event topics on Kafka, open loop at ${format(rate)} messages/s.`,
    ...r.configurations.map(
      (c) =>
        `${c.name}: millstream by process (µs/msg) ${byInstance(c)}; at ${format(rate)}/s total ${format(c.cpuPerMessageAtRate.total)} µs/msg; relay on ${c.relayLeader}; rebalances ${c.rebalances}, fenced commits ${c.fencedCommits}; other programs ${format(c.otherCores)} cores; ${format(c.verified.published)} published, ${format(c.verified.lost)} lost`,
    ),
    ...r.ratios.map(
      (x) =>
        `CPU per message, ${x.name} / single node: millstream ${format(x.millstream)}×, total ${format(x.total)}× (at ${format(rate)}/s: ${format(x.millstreamAtRate)}×, ${format(x.totalAtRate)}×)`,
    ),
  ].join('\n')
}

/** One target per cluster configuration: at most 30% more CPU per message than single node. */
export function clusterTargets(r: ClusterResult): Target[] {
  return r.ratios.map((x) => ({
    what: `CPU per message, ${x.name} / single node`,
    goal: `≤ ${CPU_RATIO_TARGET}× (millstream alone and total)`,
    measured: `millstream ${format(x.millstream)}×, total ${format(x.total)}×`,
    met: x.millstream <= CPU_RATIO_TARGET && x.total <= CPU_RATIO_TARGET,
  }))
}

function row(c: TopologyResult): (string | number)[] {
  const cpu = c.cpuPerMessage
  return [
    c.name,
    c.throughput.perSecond,
    cpu.millstream,
    cpu.byProgram.PostgreSQL ?? 0,
    cpu.byProgram.Mosquitto ?? 0,
    cpu.byProgram.Kafka ?? 0,
    cpu.total,
    c.latency.p50Ms,
    c.latency.p99Ms,
    c.latency.achievedPerSecond,
  ]
}

function byInstance(c: TopologyResult): string {
  return c.instances
    .map((i) => `${i.name} ${format(c.cpuPerMessage.byProgram[i.name] ?? 0)}`)
    .join(', ')
}
