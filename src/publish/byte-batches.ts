/**
 * Splits `items` in order into runs whose sizes add up to at most `maxBytes`. An item larger
 * than `maxBytes` on its own makes a run of its own: the broker, not this estimate, decides
 * whether it is too large (its limit may have been raised past the setting).
 */
export function splitByBytes<T>(
  items: readonly T[],
  sizeOf: (item: T) => number,
  maxBytes: number,
): T[][] {
  const runs: T[][] = []
  let run: T[] = []
  let bytes = 0
  for (const item of items) {
    const size = sizeOf(item)
    if (run.length > 0 && bytes + size > maxBytes) {
      runs.push(run)
      run = []
      bytes = 0
    }
    run.push(item)
    bytes += size
  }
  if (run.length > 0) runs.push(run)
  return runs
}
