import { loadPlantModel } from './load-model.js'
import { PlantModel } from './plant-model.js'

/** The outcome of a reload: the new model took over, or the old one stays, and why. */
export type Reload = { ok: true } | { ok: false; problems: string[] }

/**
 * The plant model in force, and its file. A reload that finds a problem keeps the model in
 * force, so a typo in the file never takes the plant's KPIs away; readers take `current` at
 * each use and see the new model at their next.
 */
export class PlantModelSource {
  private model: PlantModel
  private reloading: Promise<Reload> | undefined

  private constructor(
    private readonly file: string | undefined,
    model: PlantModel,
  ) {
    this.model = model
  }

  /** The built-in model, never reloaded. */
  static builtIn(): PlantModelSource {
    return new PlantModelSource(undefined, PlantModel.DEFAULT)
  }

  /** The model of a file, checked; every problem when it is not one. */
  static async fromFile(file: string): Promise<PlantModelSource | { problems: string[] }> {
    const loaded = await loadPlantModel(file)
    return loaded.ok ? new PlantModelSource(file, loaded.model) : { problems: loaded.problems }
  }

  get current(): PlantModel {
    return this.model
  }

  /** Reads the file again; reloads asked for while one runs share it. */
  reload(): Promise<Reload> {
    const file = this.file
    if (file === undefined) return Promise.resolve({ ok: true })
    this.reloading ??= loadPlantModel(file)
      .then((loaded): Reload => {
        if (!loaded.ok) return { ok: false, problems: loaded.problems }
        this.model = loaded.model
        return { ok: true }
      })
      .finally(() => {
        this.reloading = undefined
      })
    return this.reloading
  }
}
