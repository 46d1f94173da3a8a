/**
 * Wakers of the sleeps on each signal. One abort listener per signal wakes them all: a listener
 * per sleep would pass node's limit of ten (and warn) once a few dozen retries wait during an outage.
 */
const sleepersBySignal = new WeakMap<AbortSignal, Set<() => void>>()

function onAbort(signal: AbortSignal, wake: () => void): () => void {
  let sleepers = sleepersBySignal.get(signal)
  if (!sleepers) {
    const created = new Set<() => void>()
    signal.addEventListener('abort', () => created.forEach((w) => w()), { once: true })
    sleepersBySignal.set(signal, created)
    sleepers = created
  }
  sleepers.add(wake)
  return () => sleepers.delete(wake)
}

/**
 * Why the signal aborted, as an Error: its reason when that is one (by default an AbortError),
 * else an AbortError that names it.
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason
  return reason instanceof Error
    ? reason
    : new DOMException(`aborted: ${String(reason)}`, 'AbortError')
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (at once if it has). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!signal) {
      setTimeout(resolve, ms)
      return
    }
    if (signal.aborted) {
      reject(abortReason(signal))
      return
    }
    const forget = onAbort(signal, () => {
      clearTimeout(timer)
      reject(abortReason(signal))
    })
    const timer = setTimeout(() => {
      forget()
      resolve()
    }, ms)
  })
}
