import type { ClusterResult } from './index'

/**
 * What makes the cluster part's run invalid, whatever its speed: loss, or nothing handled at
 * all. A window that saw nothing done is slowness (the smoke run's windows are a second or
 * two, shorter than a cold start on a slow machine), so it is reported, not failed on.
 */
export function clusterProblems(r: ClusterResult): string[] {
  const found: string[] = []
  for (const c of r.configurations) {
    if (c.verified.lost > 0) found.push(`${c.name}: ${c.verified.lost} messages lost`)
    if (c.verified.deadLetters > 0)
      found.push(`${c.name}: ${c.verified.deadLetters} bench messages dead-lettered`)
    if (c.verified.published === 0 || c.verified.eventsInLog === 0)
      found.push(`${c.name}: processed nothing`)
  }
  return found
}
