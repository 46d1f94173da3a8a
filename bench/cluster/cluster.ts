import { memory } from '../../harness/process-memory'
import { ServiceProcess } from '../../harness/service-process'
import { waitFor } from '../../harness/services'
import type { BenchRun } from '../e2e/bench-run'
import { readCounters, type ServiceCounters } from '../lib/service-metrics'
import {
  consumesIngestTopic,
  INGEST_PARTITIONS,
  type InstanceSpec,
  type Topology,
} from './topologies'

/** How long a configuration may take to come up: a consumer group on 2 busy cores is slow. */
const READY_TIMEOUT_MS = 90_000

/** The run's shared settings, and the instance's roles when it is not single-node. */
function instanceEnv(spec: InstanceSpec, run: BenchRun): Record<string, string> {
  if (!spec.roles) return run.env
  return { ...run.env, ROLES: spec.roles.join(','), INGEST_PARTITIONS: String(INGEST_PARTITIONS) }
}

/** One running instance: what it was started as, and its process. */
type Instance = { spec: InstanceSpec; service: ServiceProcess }

/** The processes of one measured configuration, started on one bench run's database and topics. */
export class Cluster {
  private constructor(private readonly instances: Instance[]) {}

  /**
   * Starts the first instance alone (it migrates the fresh database), the others together,
   * and waits until every one is ready and the process instances share all ingest
   * partitions, so the load never waits for a rebalance.
   */
  static async start(topology: Topology, run: BenchRun): Promise<Cluster> {
    const instances: Instance[] = []
    const cluster = new Cluster(instances)
    const launch = async (spec: InstanceSpec) => {
      instances.push({ spec, service: await ServiceProcess.start(instanceEnv(spec, run)) })
    }
    try {
      const [first, ...rest] = topology.instances
      if (first) await launch(first)
      const started = await Promise.allSettled(rest.map(launch))
      const failed = started.find((s) => s.status === 'rejected')
      if (failed) throw failed.reason
      await waitFor(`${topology.name} ready`, () => cluster.ready(), READY_TIMEOUT_MS, 250)
      return cluster
    } catch (err) {
      await cluster.stop()
      throw err
    }
  }

  /** The instances' pids by name, for CPU by program. */
  pids(): Record<string, number> {
    return Object.fromEntries(this.instances.map((i) => [i.spec.name, i.service.pid]))
  }

  /** Messages done: events committed and acknowledged by Kafka, from the relay's leader (any instance). */
  async done(): Promise<number> {
    const all = await this.counters()
    return Object.values(all).reduce((sum, c) => sum + c.relayed, 0)
  }

  /** Each instance's counters, by name. */
  async counters(): Promise<Record<string, ServiceCounters>> {
    const read = await Promise.all(this.instances.map((i) => readCounters(i.service.url)))
    return Object.fromEntries(
      this.instances.map((i, n) => [i.spec.name, read[n] as ServiceCounters]),
    )
  }

  /** Peak resident memory of each instance, in bytes. */
  peakRss(): Record<string, number> {
    return Object.fromEntries(
      this.instances.map((i) => [i.spec.name, memory(i.service.pid).peakRssBytes]),
    )
  }

  /** Stops every instance gracefully, all at once (nothing is published any more). */
  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.service.kill('SIGTERM')))
  }

  /** True once every instance is ready and each consumer holds its share of the partitions. */
  private async ready(): Promise<true | undefined> {
    for (const { service } of this.instances) {
      const res = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(2_000) })
      await res.body?.cancel()
      if (!res.ok) return undefined
    }
    const consumers = this.instances.filter((i) => consumesIngestTopic(i.spec))
    if (consumers.length === 0) return true
    const owned = await Promise.all(
      consumers.map(async (i) => (await readCounters(i.service.url)).partitionsOwned),
    )
    // During a rebalance the first member may still report all partitions: each must hold some.
    const settled =
      owned.every((n) => n > 0) && owned.reduce((a, b) => a + b, 0) === INGEST_PARTITIONS
    return settled ? true : undefined
  }
}
