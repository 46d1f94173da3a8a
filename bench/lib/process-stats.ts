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

/** One line of /proc/<pid>/stat, the fields the bench uses. */
type ProcStat = { pid: number; parent: number; comm: string; own: number; reaped: number }

/**
 * CPU seconds used so far by every process on the machine, summed by program name (all
 * PostgreSQL backends count as `postgres`, Kafka's JVM as `java`). A process named in `pids`
 * is counted under that name instead, with all its descendants (PostgreSQL's backends under
 * its postmaster's name), so two programs of one name (the service and the load generator
 * are both `node`; another PostgreSQL on the machine) stay apart.
 */
export function cpuByProgram(pids: Record<string, number>): Record<string, number> {
  const stats = readAllStats()
  const named = new Map(Object.entries(pids).map(([name, pid]) => [pid, name]))
  const byPid = new Map(stats.map((s) => [s.pid, s]))
  const totals: Record<string, number> = {}
  for (const s of stats) {
    const tree = namedTree(s, byPid, named)
    // A named tree also keeps the time of its children that ended (reaped): a PostgreSQL
    // backend that exits between two samples must not take its CPU seconds with it.
    const [name, seconds] =
      tree === undefined ? [programName(s.comm), s.own] : [tree, s.own + s.reaped]
    totals[name] = (totals[name] ?? 0) + seconds
  }
  return totals
}

function readAllStats(): ProcStat[] {
  const stats: ProcStat[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    } catch {
      continue // the process ended meanwhile
    }
    // Fields after the name, from field 3 (state): ppid is [1], utime..cstime are [11..14].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = (i: number) => Number(fields[i])
    stats.push({
      pid: Number(entry),
      parent: ticks(1),
      comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      own: (ticks(11) + ticks(12)) / TICKS_PER_SECOND,
      reaped: (ticks(13) + ticks(14)) / TICKS_PER_SECOND,
    })
  }
  return stats
}

/** The name of the nearest process at or above `s` that `named` names, if any. */
function namedTree(
  s: ProcStat,
  byPid: Map<number, ProcStat>,
  named: Map<number, string>,
): string | undefined {
  for (let at: ProcStat | undefined = s; at; at = byPid.get(at.parent)) {
    const name = named.get(at.pid)
    if (name !== undefined) return name
  }
  return undefined
}

function programName(comm: string): string {
  if (comm.startsWith('postgres')) return 'postgres'
  return comm
}
