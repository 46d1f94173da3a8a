/**
 * ISA-18.2's rule of thumb: an alarm raised this many times within `windowMs` is chattering
 * (three times in a minute), a nuisance to fix at its rule, not an event to act on.
 */
export const CHATTER = { raises: 3, windowMs: 60_000 } as const

/** The raise times worth keeping after one more at `at`: the last `CHATTER.raises`, oldest first. */
export function rememberRaise(raises: readonly number[] | undefined, at: number): number[] {
  const kept = [...(raises ?? []), at]
  return kept.slice(-CHATTER.raises)
}

/** Whether an alarm with these recent raise times is chattering as of `now`. */
export function isChattering(raises: readonly number[] | undefined, now: number): boolean {
  if (!raises || raises.length < CHATTER.raises) return false
  const oldest = raises[raises.length - CHATTER.raises] ?? Number.NEGATIVE_INFINITY
  const newest = raises[raises.length - 1] ?? Number.NEGATIVE_INFINITY
  return newest - oldest <= CHATTER.windowMs && now - newest <= CHATTER.windowMs
}
