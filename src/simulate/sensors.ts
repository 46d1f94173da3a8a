import type { RunState } from '../domain/oee.js'
import type { Random } from './random.js'
import { round } from './round.js'

/** A state a virtual machine can be in: the ones a machine reports. */
export type SimState = Exclude<RunState, 'unknown' | 'offline'>

export const METRICS = ['temperature', 'spindleSpeed', 'vibration', 'power'] as const
export type Metric = (typeof METRICS)[number]
export type Readings = Record<Metric, number>

/** One machine's readings while running and loaded, and the room it stands in (°C). */
export type SensorSetpoints = Readings & { ambient: number }

/** A sample as sent, and which reading (if any) carries a spike. */
export type Sample = { readings: Readings; anomaly: Metric | null }

/**
 * Where each reading settles in each state, as a share of its running setpoint (temperature: of
 * its rise above ambient). Idle runs cooler and unloaded; down and maintenance stop the spindle.
 */
const LEVEL: Record<SimState, Readings> = {
  running: { temperature: 1, spindleSpeed: 1, vibration: 1, power: 1 },
  idle: { temperature: 0.4, spindleSpeed: 0.1, vibration: 0.15, power: 0.25 },
  down: { temperature: 0.1, spindleSpeed: 0, vibration: 0.03, power: 0.05 },
  maintenance: { temperature: 0, spindleSpeed: 0, vibration: 0.02, power: 0.03 },
}

/** Seconds a reading takes to move 63% of the way to a new level: a casting warms slowly. */
const TIME_CONSTANT: Readings = { temperature: 600, spindleSpeed: 3, vibration: 10, power: 5 }

/** Noise as a share of the level (temperature: in °C), so a stopped spindle reads near zero. */
const NOISE: Readings = { temperature: 0.4, spindleSpeed: 0.01, vibration: 0.08, power: 0.03 }

const DECIMALS: Readings = { temperature: 1, spindleSpeed: 0, vibration: 2, power: 2 }

/** Chance that a sample carries a spike: a sensor glitch or a knock an operator should see. */
const SPIKE_CHANCE = 0.015

/** Setpoints of one machine, drawn from its own random stream. */
export function sensorSetpoints(random: Random): SensorSetpoints {
  return {
    ambient: random.uniform(19, 25),
    temperature: random.uniform(55, 75),
    spindleSpeed: 100 * random.int(60, 140),
    vibration: random.uniform(1.5, 3.5),
    power: random.uniform(8, 25),
  }
}

/**
 * A machine's sensors: each reading a mean-reverting random walk (Ornstein–Uhlenbeck, updated
 * exactly for any step) toward the level its state sets, so readings drift and lag a change.
 */
export class Sensors {
  private readonly values: Readings

  constructor(
    private readonly setpoints: SensorSetpoints,
    private readonly random: Random,
    state: SimState,
  ) {
    this.values = { ...this.levels(state) }
  }

  /** Lets `dt` simulated seconds pass in `state`. */
  advance(dt: number, state: SimState): void {
    if (dt <= 0) return
    const levels = this.levels(state)
    for (const m of METRICS) {
      const keep = Math.exp(-dt / TIME_CONSTANT[m])
      const sd = m === 'temperature' ? NOISE[m] : NOISE[m] * Math.max(levels[m], 0.05)
      const next =
        levels[m] +
        (this.values[m] - levels[m]) * keep +
        sd * Math.sqrt(1 - keep * keep) * this.random.normal()
      this.values[m] = m === 'temperature' ? next : Math.max(0, next)
    }
  }

  /** The readings now, now and then with a spike on one of them. */
  sample(): Sample {
    const readings = { ...this.values }
    let anomaly: Metric | null = null
    if (this.random.chance(SPIKE_CHANCE)) {
      anomaly = this.random.pick(['temperature', 'vibration', 'power'] as const)
      if (anomaly === 'temperature') readings.temperature += this.random.uniform(8, 20)
      else readings[anomaly] *= this.random.uniform(2.5, 5)
    }
    for (const m of METRICS) readings[m] = round(readings[m], DECIMALS[m])
    return { readings, anomaly }
  }

  private levels(state: SimState): Readings {
    const s = this.setpoints
    const level = LEVEL[state]
    return {
      temperature: s.ambient + level.temperature * (s.temperature - s.ambient),
      spindleSpeed: level.spindleSpeed * s.spindleSpeed,
      vibration: level.vibration * s.vibration,
      power: level.power * s.power,
    }
  }
}
