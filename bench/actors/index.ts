import { fork } from 'node:child_process'
import path from 'node:path'
import type { ActorScaleResult, ActorScaleRunOptions } from './run'

export type { ActorScaleResult } from './run'

export type ActorScaleOptions = {
  actors: number
  /** Passivation idle time; by default comfortably longer than spawning `actors` takes. */
  idleMs?: number
  /** Folder for one heap snapshot taken with every actor live (optional, large). */
  heapSnapshotDir?: string
  /** Kills the child after this long. */
  timeoutMs?: number
}

const CHILD = path.join(__dirname, 'actors-main.js')

/**
 * Heap per live machine actor, and whether passivation returns it: runs `actors` machine
 * actors in a child process started with `--expose-gc` (so forced GCs measure them alone)
 * and returns its figures.
 */
export function measureActorScale(options: ActorScaleOptions): Promise<ActorScaleResult> {
  const run: ActorScaleRunOptions = {
    actors: options.actors,
    idleMs: options.idleMs ?? defaultIdleMs(options.actors),
    ...(options.heapSnapshotDir ? { heapSnapshotDir: options.heapSnapshotDir } : {}),
  }
  const timeoutMs = options.timeoutMs ?? 3 * run.idleMs + 120_000
  return new Promise<ActorScaleResult>((resolve, reject) => {
    const child = fork(CHILD, [JSON.stringify(run)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    })
    let stderr = ''
    let outcome: { result: ActorScaleResult } | { error: string } | undefined
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-10_000)
    })
    child.on('message', (message: { result: ActorScaleResult } | { error: string }) => {
      outcome = message
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (outcome && 'result' in outcome) resolve(outcome.result)
      else if (outcome) reject(new Error(`actor-scale child failed: ${outcome.error}`))
      else
        reject(new Error(`actor-scale child exited (${signal ?? code}) with no result\n${stderr}`))
    })
  })
}

/**
 * Every actor must still be live when the last one is spawned, so the idle time must outlast
 * the spawn phase: generous for a router whose cost per message is constant. A run whose
 * spawn phase outlasted it reports fewer `liveActors` than `actors`; pass a longer `idleMs`.
 */
function defaultIdleMs(actors: number): number {
  return Math.round(20_000 + 0.2 * actors)
}
