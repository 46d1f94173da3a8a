import { SERVICE_PROCESSES, type ServiceName } from '../lib/stack'

/** CPU time per message handled, in whole microseconds (the cores it comes from are rounded). */
export type CpuPerMessage = {
  /** Each millstream instance and each service (the load generator is not part of the cost). */
  byProgram: Record<string, number>
  /** All millstream instances together. */
  millstream: number
  /** millstream and PostgreSQL, Mosquitto and Kafka. */
  total: number
}

/** A measured window: messages per second, and the cores each watched program kept busy. */
type Window = { perSecond: number; cores: Record<string, number> }

/**
 * CPU per message of one window. `instances` are the millstream processes' names; a service
 * is read under its own name when its pid was watched, else under its program name (then it
 * counts every process of that program on the machine).
 */
export function cpuPerMessage(
  window: Window,
  instances: readonly string[],
  watchedServices: readonly ServiceName[],
): CpuPerMessage {
  const perMessage = (cores: number) => Math.round((cores * 1e6) / Math.max(1, window.perSecond))
  const services = (Object.keys(SERVICE_PROCESSES) as ServiceName[]).map((name) => ({
    name,
    cores:
      window.cores[watchedServices.includes(name) ? name : SERVICE_PROCESSES[name].program] ?? 0,
  }))
  const millstream = instances.map((name) => ({ name, cores: window.cores[name] ?? 0 }))
  const programs = [...millstream, ...services]
  const sum = (ps: { cores: number }[]) => ps.reduce((s, p) => s + p.cores, 0)
  return {
    byProgram: Object.fromEntries(programs.map((p) => [p.name, perMessage(p.cores)])),
    millstream: perMessage(sum(millstream)),
    total: perMessage(sum(programs)),
  }
}
