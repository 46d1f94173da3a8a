import { readFile } from 'node:fs/promises'
import { modelProblems } from './model-check.js'
import { plantModelSchema } from './model-schema.js'
import { PlantModel } from './plant-model.js'

/** A model, or every problem that keeps the file from being one. */
export type LoadedModel = { ok: true; model: PlantModel } | { ok: false; problems: string[] }

/** Reads and checks a plant model file (JSON). */
export async function loadPlantModel(path: string): Promise<LoadedModel> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    return { ok: false, problems: [`cannot read ${path}: ${String(err)}`] }
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    return { ok: false, problems: [`${path} is not JSON: ${String(err)}`] }
  }
  return checkPlantModel(body)
}

/** Checks a parsed plant model: the schema, then what the schema cannot say, all at once. */
export function checkPlantModel(body: unknown): LoadedModel {
  const parsed = plantModelSchema.safeParse(body)
  if (!parsed.success)
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`,
      ),
    }
  const problems = modelProblems(parsed.data)
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, model: new PlantModel(parsed.data) }
}
