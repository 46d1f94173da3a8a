import type pg from 'pg'
import { PgAdvisoryLock } from '../../journal/advisory-lock.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { DowntimeFollower } from '../../plant/downtime-follower.js'
import { DowntimeStore } from '../../plant/downtime-store.js'
import { PlantModelSource } from '../../plant/model-source.js'
import { CommittedSeriesEvents } from '../../series/committed-events.js'
import { ConfigError, type Config } from '../config.js'

/** The plant model, checked; a bad file stops the start with every problem it has. */
export async function plantModelSource(config: Config): Promise<PlantModelSource> {
  const file = config.plant.modelFile
  if (file === undefined) return PlantModelSource.builtIn()
  const loaded = await PlantModelSource.fromFile(file)
  if (loaded instanceof PlantModelSource) return loaded
  throw new ConfigError(loaded.problems.map((p) => `PLANT_MODEL_FILE ${file}: ${p}`))
}

/**
 * Reads the plant model file again on SIGHUP; a reload with problems keeps the model in force
 * and logs them.
 */
export function plantModelReload(
  source: PlantModelSource,
  config: Config,
  metrics: Metrics,
  log: Logger,
): Component {
  const plantLog = log.child({ module: 'plant-model' })
  const file = config.plant.modelFile
  const onHangup = () => {
    void source.reload().then((r) => {
      metrics.plantModelReloads.inc({ outcome: r.ok ? 'loaded' : 'refused' })
      if (r.ok) plantLog.info({ file }, 'plant model reloaded')
      else
        plantLog.warn(
          { file, problems: r.problems },
          'plant model not reloaded; the one in force stays',
        )
    })
  }
  return {
    name: 'plant model reload',
    start: () => {
      if (file !== undefined) process.on('SIGHUP', onHangup)
      return Promise.resolve()
    },
    stop: () => {
      process.off('SIGHUP', onHangup)
      return Promise.resolve()
    },
  }
}

/** The downtime follower's name for its place in the log (`relay_offsets`). */
export const DOWNTIME_FOLLOWER_NAME = 'downtime'

/** Deadline of each statement the follower runs. */
const STATEMENT_DEADLINE_MS = 30_000

/**
 * The downtime follower: downtime records and parts per minute from the committed log, one
 * leader per database (an advisory lock), batches as large as the series follower's.
 */
export function downtimeFollower(
  config: Config,
  pool: pg.Pool,
  plant: PlantModelSource,
  log: Logger,
): Component<DowntimeFollower> {
  const follower = new DowntimeFollower(
    new PgAdvisoryLock(pool, 'millstream-downtime'),
    new CommittedSeriesEvents(pool, STATEMENT_DEADLINE_MS, [
      'PartProduced',
      'MachineStateChanged',
      'DowntimeClassified',
    ]),
    new DowntimeStore(pool, DOWNTIME_FOLLOWER_NAME, STATEMENT_DEADLINE_MS),
    () => plant.current,
    { batch: config.series.batch, pollMs: 1000, standbyMs: 2000 },
    log.child({ module: 'downtime-follower' }),
  )
  return {
    name: 'downtime follower',
    start: () => {
      follower.start()
      return Promise.resolve(follower)
    },
    stop: () => follower.stop(),
    checks: () => {
      // A failed batch is retried; downtime lags meanwhile, the service itself is sound.
      const { leader, lastError } = follower.status()
      const detail = lastError ? `retrying: ${lastError}` : leader ? 'leader' : 'standby'
      return Promise.resolve({ downtime: { ok: true, detail } })
    },
  }
}
