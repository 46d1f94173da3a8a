import { ROLE_NAMES, type Role } from '../../src/main/config'

/** One millstream process of a measured configuration. */
export type InstanceSpec = {
  /** The name its CPU and memory are reported under. */
  name: string
  /** What it runs; none named: the default, all roles in one process (single-node mode). */
  roles?: readonly Role[]
}

/** A configuration the cluster part measures: the processes that make up one millstream. */
export type Topology = { name: string; instances: readonly InstanceSpec[] }

/** Partitions of the ingest topic: the default, written out so the bench knows what to wait for. */
export const INGEST_PARTITIONS = 24

/** The configurations compared, single-node first: the others' CPU is set against it. */
export const TOPOLOGIES = [
  { name: 'single node', instances: [{ name: 'millstream' }] },
  {
    name: '1 ingest + 1 process',
    instances: [
      { name: 'ingest', roles: ['ingest'] },
      { name: 'process', roles: ['process'] },
    ],
  },
  {
    name: '1 ingest + 2 process',
    instances: [
      { name: 'ingest', roles: ['ingest'] },
      { name: 'process 1', roles: ['process'] },
      { name: 'process 2', roles: ['process'] },
    ],
  },
] as const satisfies readonly Topology[]

/** Whether the instance consumes the ingest topic (and so must hold partitions before the load). */
export function consumesIngestTopic({ roles }: InstanceSpec): boolean {
  const clusterMode = !!roles && !ROLE_NAMES.every((r) => roles.includes(r))
  return clusterMode && roles.includes('process')
}
