import { machineTopic } from '../../src/domain/topics.js'
/** The bench's message mix: what one virtual machine publishes, and how it counts. */
export type LoadMix = {
  /** Virtual machines (each its own MQTT topic and millstream actor). */
  machines: number
  /** One message in `telemetryEvery` is telemetry; the rest are production reports. */
  telemetryEvery: number
  /** Sensor readings in one telemetry message. */
  readingsPerTelemetry: number
}

export const DEFAULT_MIX: LoadMix = { machines: 1000, telemetryEvery: 5, readingsPerTelemetry: 10 }

const METRIC_NAMES = [
  'spindleTemp',
  'spindleSpeed',
  'feedRate',
  'vibrationX',
  'vibrationY',
  'vibrationZ',
  'coolantTemp',
  'motorCurrent',
  'airPressure',
  'powerKw',
  'oilLevel',
  'toolWear',
]

/**
 * Data points in one message, counted as ThingsBoard counts them (one per stored key/value):
 * a telemetry message carries `readingsPerTelemetry` readings; a production report is one
 * record, counted once.
 */
export function dataPointsPerMessage(mix: LoadMix): number {
  const telemetryShare = 1 / mix.telemetryEvery
  return 1 - telemetryShare + telemetryShare * mix.readingsPerTelemetry
}

/**
 * Message number `n` of the run: machines take turns, and each machine's orders rise. Times
 * are the publish time, so a consumer can measure end-to-end latency from the event.
 */
export function benchMessage(
  prefix: string,
  mix: LoadMix,
  runId: string,
  n: number,
  now: number,
): { topic: string; payload: string } {
  const machine = 1 + (n % mix.machines)
  const round = Math.floor(n / mix.machines)
  if (n % mix.telemetryEvery === mix.telemetryEvery - 1) {
    const metrics: Record<string, number> = {}
    for (let i = 0; i < mix.readingsPerTelemetry; i++) {
      const name = `${METRIC_NAMES[i % METRIC_NAMES.length] ?? 'reading'}${i >= METRIC_NAMES.length ? i : ''}`
      metrics[name] = Math.round((50 + Math.sin(n + i) * 20) * 100) / 100
    }
    return {
      topic: machineTopic(prefix, String(machine), 'telemetry'),
      payload: JSON.stringify({ at: now, metrics }),
    }
  }
  return {
    topic: machineTopic(prefix, String(machine), 'production'),
    payload: JSON.stringify({
      timeOfProduction: now,
      order: 1000 + Math.floor(round / 50),
      partId: 1 + (machine % 20),
      machineId: machine,
      var1: Math.round(Math.random() * 1000) / 10,
      var2: `lot-${runId}-${round}`,
      var3: 'ok',
      var4: 12.5,
      var5: false,
      messageId: `${runId}-${n}`,
    }),
  }
}
