import { deadLetters } from './api.js'
import type { DeadLetter } from './api-types.js'

/**
 * The newest `count` dead letters, newest first. The list is served oldest first and paged
 * by id; rather than read every page, this finds the id after which fewer than `count` remain
 * (doubling, then halving: two dozen small reads for a million letters) and reads from there.
 */
export async function newestDeadLetters(
  count: number,
  signal?: AbortSignal,
): Promise<DeadLetter[]> {
  const first = await deadLetters(0, count, signal)
  if (first.next === null) return first.items.reverse()
  const fewerThanCountAfter = async (after: number) =>
    (await deadLetters(after, count, signal)).next === null
  // Invariant: at least `count` letters after `low`, fewer after `high`.
  let low = 0
  let step = count
  while (!(await fewerThanCountAfter(low + step))) {
    low += step
    step *= 2
  }
  let high = low + step
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2)
    if (await fewerThanCountAfter(middle)) high = middle
    else low = middle
  }
  return (await deadLetters(low, count, signal)).items.reverse()
}
