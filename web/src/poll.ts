/** A reading repeated every `intervalMs` until stopped; a failed one is reported, not thrown. */
export type Poll = { stop(): void; now(): void }

/**
 * Runs `read` now and then `intervalMs` after each run ends (never two at once), skipping
 * turns while the page is hidden, so a tab left open all day costs the service nothing.
 */
export function poll(
  intervalMs: number,
  read: (signal: AbortSignal) => Promise<void>,
  failed: (err: unknown) => void,
): Poll {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  const run = async () => {
    clearTimeout(timer)
    if (controller.signal.aborted || running) return
    running = true
    try {
      if (document.visibilityState !== 'hidden') await read(controller.signal)
    } catch (err) {
      if (!controller.signal.aborted) failed(err)
    } finally {
      running = false
      if (!controller.signal.aborted) timer = setTimeout(() => void run(), intervalMs)
    }
  }
  void run()
  return {
    stop: () => {
      controller.abort()
      clearTimeout(timer)
    },
    now: () => void run(),
  }
}
