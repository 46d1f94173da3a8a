import { cpuByProgram, machineCpuSeconds } from './process-stats'

/** One reading of a counter and the CPU clocks, taken together. */
export type Sample = {
  at: number
  count: number
  /** CPU seconds used so far by each watched process and program, by name. */
  cpu: Record<string, number>
  machineCpu: number
}

/** Takes a sample: `count` from the probe, CPU from /proc for every watched process. */
export async function takeSample(
  probe: () => Promise<number>,
  pids: Record<string, number>,
): Promise<Sample> {
  const count = await probe()
  return { at: Date.now(), count, cpu: cpuByProgram(pids), machineCpu: machineCpuSeconds() }
}

/** Rate and CPU use between two samples: messages/s and cores busy per process and machine-wide. */
export function between(
  from: Sample,
  to: Sample,
): {
  seconds: number
  count: number
  perSecond: number
  cores: Record<string, number>
  machineCores: number
} {
  const seconds = (to.at - from.at) / 1000
  const cores: Record<string, number> = {}
  for (const name of Object.keys(to.cpu)) {
    const used = round(((to.cpu[name] ?? 0) - (from.cpu[name] ?? 0)) / seconds, 2)
    // Only what matters: programs that used at least 1% of a core.
    if (used >= 0.01) cores[name] = used
  }
  const count = to.count - from.count
  return {
    seconds: round(seconds, 1),
    count,
    perSecond: Math.round(count / seconds),
    cores,
    machineCores: round((to.machineCpu - from.machineCpu) / seconds, 2),
  }
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
