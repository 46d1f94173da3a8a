import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { PlantModelSource } from '../../plant/model-source.js'
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
