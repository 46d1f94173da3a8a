import { setImmediate as nextTurn } from 'node:timers/promises'

/**
 * Heap in use once garbage is collected. Several full GCs, with a turn of the event loop
 * between them, so finalizers and weak references from one round are gone by the last.
 * Needs `node --expose-gc`.
 */
export async function settledHeapBytes(rounds = 6): Promise<number> {
  const gc = globalThis.gc
  if (!gc) throw new Error('settledHeapBytes needs node --expose-gc')
  for (let i = 0; i < rounds; i++) {
    gc()
    await nextTurn()
  }
  return process.memoryUsage().heapUsed
}
