import type pg from 'pg'
import { start as startActorSystem, stop as stopActorSystem } from 'nact'
import { Dispatcher } from '../../actors/dispatcher.js'
import { InMemoryPartCatalog } from '../../actors/part-catalog.js'
import { PgDeadLetters } from '../../journal/dead-letters.js'
import { PgEntityJournal } from '../../journal/entity-journal.js'
import { NO_CHECKS, type Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import type { Config } from '../config.js'

/** What the entity runtime offers the parts started after it. */
export type Entities = {
  actors: Dispatcher
  journal: PgEntityJournal
  deadLetters: PgDeadLetters
}

/**
 * The entity actors and the PostgreSQL journal they commit to. Each commit is measured and
 * tells `committed` (the relay reads the new events at once). On stop, pending commits land
 * before the actors and the actor system stop.
 */
export function entityRuntime(
  config: Config,
  pool: pg.Pool,
  metrics: Metrics,
  committed: () => void,
  log: Logger,
): Component<Entities> {
  const observeCommit = (store: string) => (size: number, seconds: number) => {
    metrics.commitBatch.observe({ store }, size)
    metrics.commitSeconds.observe({ store }, seconds)
    committed()
  }
  const processing = config.processing
  const journal = new PgEntityJournal(
    pool,
    log,
    { maxBatch: processing.commitMaxBatch, concurrency: processing.commitConcurrency },
    observeCommit('events'),
  )
  const deadLetters = new PgDeadLetters(
    pool,
    log,
    processing.commitMaxBatch,
    observeCommit('dead-letters'),
  )
  const actorLog = log.child({ module: 'actors' })
  let system: ReturnType<typeof startActorSystem> | undefined
  let actors: Dispatcher | undefined
  return {
    name: 'entity actors',
    start: async () => {
      system = startActorSystem()
      actors = new Dispatcher(system, {
        journal,
        catalog: new InMemoryPartCatalog(await journal.partCycleTimes()),
        rules: config.rules,
        snapshotEvery: processing.snapshotEvery,
        idleMs: processing.actorIdleMs,
        hibernateMs: processing.actorHibernateMs,
        onCrash: (entity, err) =>
          actorLog.error({ err, entity }, 'actor crashed; restarting from its journal'),
      })
      return { actors, journal, deadLetters }
    },
    stop: async () => {
      try {
        await Promise.all([journal.idle(), deadLetters.idle()])
      } finally {
        actors?.stop()
        if (system) stopActorSystem(system)
      }
    },
    checks: () =>
      Promise.resolve(
        actors ? { actors: { ok: true, detail: JSON.stringify(actors.liveActors()) } } : NO_CHECKS,
      ),
  }
}
