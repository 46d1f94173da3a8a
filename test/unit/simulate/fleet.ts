import { MachineModel, type MachineEmission } from '../../../src/simulate/machine-model'
import { buildPlant, type MachineConfig } from '../../../src/simulate/plant'
import { Random } from '../../../src/simulate/random'
import type { SimState } from '../../../src/simulate/sensors'

/** One machine of the plant seed 7 draws, with `changes` to its character. */
export function machineConfig(changes: Partial<MachineConfig> = {}): MachineConfig {
  const plant = buildPlant({
    seed: 7,
    machines: 1,
    scrapShare: 0.05,
    mtbfSeconds: 30 * 60,
    mttrSeconds: 5 * 60,
  })
  return { ...(plant.machines[0] as MachineConfig), ...changes }
}

/** What a machine says over `seconds` of simulated time, in steps of `step` seconds. */
export function run(
  config: MachineConfig,
  seconds: number,
  options: { seed?: number; telemetryEvery?: number; step?: number } = {},
): MachineEmission[] {
  const model = new MachineModel(
    config,
    Random.derive(options.seed ?? 7, `machine-run/${config.machineId}`),
    options.telemetryEvery ?? 5,
  )
  const out: MachineEmission[] = []
  const step = options.step ?? 60
  for (let t = 0; t < seconds; t += step) out.push(...model.advance(Math.min(seconds, t + step)))
  return out
}

export type Segment = { state: SimState; from: number; to: number }

/** The states the statuses describe, as spans of time up to `end`. */
export function segments(emissions: readonly MachineEmission[], end: number): Segment[] {
  const statuses = emissions.flatMap((e) => (e.kind === 'status' ? [e] : []))
  return statuses.map((s, i) => ({ state: s.state, from: s.at, to: statuses[i + 1]?.at ?? end }))
}

/** The state at simulated time `at` (a change at `at` itself counts from then on). */
export function stateAt(spans: readonly Segment[], at: number): SimState | undefined {
  return spans.find((s) => s.from <= at && at < s.to)?.state
}
