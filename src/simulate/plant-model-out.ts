import { writeFile } from 'node:fs/promises'
import type { SimulateArgs } from './options.js'
import { plantModelJson } from './plant-model.js'
import { simulatedPlant } from './simulator.js'

/** Writes the plant model of the plant `args` describe to `path`, or prints it for `-`. */
export async function writePlantModel(args: SimulateArgs, path: string): Promise<void> {
  const text = plantModelJson(simulatedPlant(args), !args.roundTheClock)
  if (path === '-') process.stdout.write(text)
  else await writeFile(path, text, 'utf8')
}
