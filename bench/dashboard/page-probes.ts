/**
 * Page-side recorders, added before the page's own scripts: every long task (over 50 ms on
 * the main thread) and the time between animation frames. `window.__bench.reset()` starts a
 * new window; the page's code is not touched. Text, since the bench's program has no DOM types.
 */
export const RECORDERS = `(() => {
  const bench = { longTasks: [], frames: [], reset() { this.longTasks = []; this.frames = [] } }
  window.__bench = bench
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) bench.longTasks.push(e.duration)
  }).observe({ type: 'longtask', buffered: true })
  let last = 0
  const frame = (now) => {
    if (last) bench.frames.push(now - last)
    last = now
    requestAnimationFrame(frame)
  }
  requestAnimationFrame(frame)
})()`

/** What the recorders hold: long task durations and frame intervals, in ms. */
export type Recorded = { longTasks: number[]; frames: number[] }

export const READ_RECORDED = `({ longTasks: window.__bench.longTasks, frames: window.__bench.frames })`
export const RESET_RECORDED = `window.__bench.reset()`

/** The page's marks of its first load (ms since navigation) and its tiles, once the grid is ready. */
export const FIRST_LOAD = `(() => {
  const at = (name) => performance.getEntriesByName('dashboard:' + name)[0]?.startTime
  if (at('grid-ready') === undefined) return null
  return {
    streamOpen: at('stream-open'),
    fleetRead: at('fleet-read'),
    gridReady: at('grid-ready'),
    tiles: document.querySelectorAll('.tile').length,
  }
})()`

export type FirstLoad = { streamOpen: number; fleetRead: number; gridReady: number; tiles: number }
