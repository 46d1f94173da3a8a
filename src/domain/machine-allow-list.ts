/**
 * Which machine ids inputs may address: ids and patterns in which `*` stands for any run of
 * characters (`press-*`, `1`). No list: every machine, so the service learns machines from what
 * they send.
 */
export type MachineAllowList = (machineId: string) => boolean

/** The allow-list of a setting's entries (undefined: every machine allowed). */
export function machineAllowList(entries: readonly string[] | undefined): MachineAllowList {
  if (entries === undefined || entries.length === 0) return () => true
  const exact = new Set(entries.filter((e) => !e.includes('*')))
  const patterns = entries.filter((e) => e.includes('*')).map(patternOf)
  return (machineId) => exact.has(machineId) || patterns.some((p) => p.test(machineId))
}

/** A `*` pattern as an anchored regular expression, every other character literal. */
function patternOf(entry: string): RegExp {
  const literal = entry.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${literal.join('.*')}$`, 's')
}
