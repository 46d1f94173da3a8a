import type pg from 'pg'
import { start as startActorSystem, stop as stopActorSystem } from 'nact'
import { Dispatcher } from '../../actors/dispatcher.js'
import { InMemoryPartCatalog } from '../../actors/part-catalog.js'
import type { AlarmRuleSource } from '../../domain/alarms/alarm-book.js'
import type { ResumePoints } from '../../journal/resume-points.js'
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
  /** Part cycle times the machines' OEE reads. */
  catalog: InMemoryPartCatalog
}

/**
 * The entity actors and the PostgreSQL journal they commit to. Each commit is measured and
 * tells `committed` (the relay reads the new events at once). On stop, pending commits land
 * (for up to half the shutdown timeout) before the actors and the actor system stop. In
 * cluster mode, `resumePoints` says where the partitions of each commit's inputs resume.
 */
export function entityRuntime(
  config: Config,
  pool: pg.Pool,
  metrics: Metrics,
  committed: () => void,
  log: Logger,
  resumePoints?: ResumePoints,
  /** The alarm rules in force, when they may change (a rules file); the built-in ones otherwise. */
  alarmRules?: AlarmRuleSource,
): Component<Entities> {
  const observeCommit = (store: string) => (size: number, seconds: number) => {
    metrics.commitBatch.observe({ store }, size)
    metrics.commitSeconds.observe({ store }, seconds)
    committed()
  }
  const processing = config.processing
  // Commits wait out a database outage; at shutdown they wait only so long, then give up
  // unacknowledged (the broker delivers those messages again after the restart).
  const stopRetrying = new AbortController()
  const journal = new PgEntityJournal(
    pool,
    log,
    { maxBatch: processing.commitMaxBatch, concurrency: processing.commitConcurrency },
    observeCommit('events'),
    {
      signal: stopRetrying.signal,
      dedupWindowMs: config.log.dedupWindowMs,
      ...(resumePoints ? { resumePoints } : {}),
    },
  )
  const deadLetters = new PgDeadLetters(
    pool,
    log,
    processing.commitMaxBatch,
    observeCommit('dead-letters'),
    { signal: stopRetrying.signal, payloadBytes: processing.deadLetterPayloadBytes },
  )
  const actorLog = log.child({ module: 'actors' })
  let system: ReturnType<typeof startActorSystem> | undefined
  let actors: Dispatcher | undefined
  let giveUp: NodeJS.Timeout | undefined
  return {
    name: 'entity actors',
    start: async () => {
      system = startActorSystem()
      const catalog = new InMemoryPartCatalog(await journal.partCycleTimes())
      actors = new Dispatcher(system, {
        journal,
        catalog,
        rules: alarmRules ? { ...config.rules, alarms: alarmRules } : config.rules,
        snapshotEvery: processing.snapshotEvery,
        idleMs: processing.actorIdleMs,
        hibernateMs: processing.actorHibernateMs,
        onCrash: (entity, err) =>
          actorLog.error({ err, entity }, 'actor crashed; restarting from its journal'),
      })
      return { actors, journal, deadLetters, catalog }
    },
    // Reading stops first and drains through these commits: the deadline starts with shutdown.
    stopping: () => {
      giveUp = setTimeout(
        () => stopRetrying.abort(new Error('shutting down: the database did not come back')),
        config.shutdownTimeoutMs / 2,
      )
    },
    stop: async () => {
      try {
        await Promise.all([journal.idle(), deadLetters.idle()])
      } finally {
        clearTimeout(giveUp)
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
