import { start, stop, type ActorSystemRef } from 'nact'
import { setTimeout as sleep } from 'node:timers/promises'
import { writeHeapSnapshot } from 'node:v8'
import { Dispatcher } from '../../src/actors/dispatcher'
import { InMemoryPartCatalog } from '../../src/actors/part-catalog'
import { DEFAULT_RULES } from '../../src/domain/rules'
import { LatestStateJournal } from './journal'
import { BENCH_PARTS, feedMachines, MESSAGES_PER_MACHINE } from './feed'
import { settledHeapBytes } from './heap'

/** What the child process is asked to measure. */
export type ActorScaleRunOptions = {
  actors: number
  /** Idle time before an actor is passivated: longer than the spawn phase, or some go early. */
  idleMs: number
  /** Writes one heap snapshot with every actor live into this folder, to see what dominates. */
  heapSnapshotDir?: string
}

/** Heap figures of one run; bytes are V8 `heapUsed` after forced full GCs. */
export type ActorScaleResult = {
  actors: number
  messagesPerActor: number
  idleMs: number
  /** Heap with the actor system, the Dispatcher and an empty journal. */
  heapBytesBaseline: number
  /** Heap with every machine actor live (and the journal holding their states). */
  heapBytesLive: number
  liveActors: number
  /** (live − baseline − journal) / live actors: the actor, its state and nact's bookkeeping. */
  bytesPerLiveActor: number
  /** Machines idle past the hibernation time: actor stopped, state kept in memory. */
  hibernating: number
  heapBytesHibernating: number
  /** (hibernating − baseline − journal) / hibernating machines: what an idle machine costs. */
  bytesPerHibernatingMachine: number
  /** Heap the journal's saved states held, measured by clearing it at the end. */
  journalBytes: number
  /** Heap once every actor passivated (the journal still holds their states). */
  heapBytesAfterPassivation: number
  heapBytesAfterJournalCleared: number
  /** Share of the actors' heap (journal excluded) returned by passivation; 1 is all of it. */
  returnedShare: number
  liveActorsAfterPassivation: number
  secondsToSpawn: number
  secondsToPassivate: number
  heapSnapshot?: string
}

/** Builds the service's Dispatcher on a real nact system with a journal kept in memory. */
/**
 * After hibernating, an entity's state is kept `idleMs` longer before it is passivated: long
 * enough for every machine to hibernate (their last messages are spread over the spawn phase,
 * and the sweep runs every `idleMs / 4` at most) and be measured before the first is passivated.
 */

function startDispatcher(idleMs: number): {
  system: ActorSystemRef
  dispatcher: Dispatcher
  journal: LatestStateJournal
} {
  const system = start()
  const journal = new LatestStateJournal()
  const dispatcher = new Dispatcher(system, {
    journal,
    catalog: new InMemoryPartCatalog(BENCH_PARTS),
    rules: DEFAULT_RULES,
    snapshotEvery: 100,
    hibernateMs: idleMs,
    idleMs: 2 * idleMs,
  })
  return { system, dispatcher, journal }
}

/** Runs a few hundred actors first, so compiled code is part of the baseline, not the actors. */
async function warmUp(): Promise<void> {
  const { system, dispatcher } = startDispatcher(60_000)
  await feedMachines(dispatcher, 300)
  dispatcher.stop()
  stop(system)
  await sleep(50)
}

/**
 * Waits until no actor runs and then either every machine hibernates (`machines` of them) or,
 * with `passivated`, no entity's state is kept either.
 */
async function untilIdle(
  dispatcher: Dispatcher,
  target: { passivated: boolean; machines: number },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  const total = (c: { machines: number; parts: number; materials: number }) =>
    c.machines + c.parts + c.materials
  for (;;) {
    const kept = dispatcher.hibernating()
    const done = target.passivated ? total(kept) === 0 : kept.machines === target.machines
    if ((total(dispatcher.liveActors()) === 0 && done) || Date.now() > deadline) return
    await sleep(100)
  }
}

/** Spawns `actors` machine actors, measures their heap, lets them passivate and measures again. */
export async function runActorScale(options: ActorScaleRunOptions): Promise<ActorScaleResult> {
  await warmUp()
  const { system, dispatcher, journal } = startDispatcher(options.idleMs)
  try {
    const heapBytesBaseline = await settledHeapBytes()

    const spawnStarted = performance.now()
    await feedMachines(dispatcher, options.actors)
    const secondsToSpawn = (performance.now() - spawnStarted) / 1000
    const liveActors = dispatcher.liveActors().machines
    const heapBytesLive = await settledHeapBytes()
    const heapSnapshot = options.heapSnapshotDir
      ? writeHeapSnapshot(`${options.heapSnapshotDir}/actors-live-${options.actors}.heapsnapshot`)
      : undefined

    await untilIdle(
      dispatcher,
      { passivated: false, machines: liveActors },
      options.idleMs + 60_000,
    )
    const hibernating = dispatcher.hibernating().machines
    const heapBytesHibernating = await settledHeapBytes()

    const passivateStarted = performance.now()
    await untilIdle(dispatcher, { passivated: true, machines: 0 }, options.idleMs * 2 + 60_000)
    const secondsToPassivate = (performance.now() - passivateStarted) / 1000
    const liveActorsAfterPassivation = dispatcher.liveActors().machines
    const heapBytesAfterPassivation = await settledHeapBytes()

    journal.clear()
    const heapBytesAfterJournalCleared = await settledHeapBytes()
    const journalBytes = heapBytesAfterPassivation - heapBytesAfterJournalCleared
    const actorBytes = heapBytesLive - heapBytesBaseline - journalBytes
    return {
      actors: options.actors,
      messagesPerActor: MESSAGES_PER_MACHINE,
      idleMs: options.idleMs,
      heapBytesBaseline,
      heapBytesLive,
      liveActors,
      bytesPerLiveActor: Math.round(actorBytes / Math.max(1, liveActors)),
      hibernating,
      heapBytesHibernating,
      bytesPerHibernatingMachine: Math.round(
        (heapBytesHibernating - heapBytesBaseline - journalBytes) / Math.max(1, hibernating),
      ),
      journalBytes,
      heapBytesAfterPassivation,
      heapBytesAfterJournalCleared,
      returnedShare: round3((heapBytesLive - heapBytesAfterPassivation) / actorBytes),
      liveActorsAfterPassivation,
      secondsToSpawn: round3(secondsToSpawn),
      secondsToPassivate: round3(secondsToPassivate),
      ...(heapSnapshot ? { heapSnapshot } : {}),
    }
  } finally {
    dispatcher.stop()
    stop(system)
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000
}
