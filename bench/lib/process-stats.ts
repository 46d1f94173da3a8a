import { readdirSync, readFileSync } from 'node:fs'

/** Linux clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on every mainstream kernel). */
const TICKS_PER_SECOND = 100

/** Busy CPU seconds of the whole machine so far (all cores, from /proc/stat). */
export function machineCpuSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number)
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) /
    TICKS_PER_SECOND
  )
}

/**
 * CPU seconds used so far by every process on the machine, summed by program name (all
 * PostgreSQL backends count as `postgres`, Kafka's JVM as `java`); processes named in `pids`
 * are counted under that name instead (both the service and the load generator are `node`).
 */
export function cpuByProgram(pids: Record<string, number>): Record<string, number> {
  const named = new Map(Object.entries(pids).map(([name, pid]) => [pid, name]))
  const totals: Record<string, number> = {}
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // the process ended meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
    const name = named.get(Number(entry)) ?? programName(comm)
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    totals[name] =
      (totals[name] ?? 0) + (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  }
  return totals
}

function programName(comm: string): string {
  if (comm.startsWith('postgres')) return 'postgres'
  return comm
}
