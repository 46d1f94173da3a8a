import { Worker } from 'node:worker_threads'
import type { RelayWorkerData } from '../../src/publish/relay-protocol'

/**
 * What the relay thread double does, by its `relayName`:
 * - `steady`: reports a status, counts nudges in `published`, answers a lag request with 7;
 * - `dies-first`: the first thread started reports 5 published and exits with code 3, the
 *   next ones (counted in the shared `starts`) behave as `steady`;
 * - `hangs-on-stop`: never answers a stop;
 * - `mute-lag`: never answers a lag request.
 */
export type RelayDoubleBehaviour = 'steady' | 'dies-first' | 'hangs-on-stop' | 'mute-lag'

/** Worker data for the double: the real shape, and a counter of starts shared by its threads. */
export function relayDoubleData(behaviour: RelayDoubleBehaviour): RelayWorkerData & {
  starts: Int32Array
} {
  return {
    database: 'postgres://unused',
    relayName: behaviour,
    producer: {
      brokers: [],
      clientId: 'relay-double',
      security: {},
      topicPrefix: 'double',
      partitions: 1,
      replicationFactor: 1,
      maxMessageBytes: 1_000_000,
    },
    batch: 10,
    pollMs: 10,
    logLevel: 'silent',
    logFormat: 'json',
    starts: new Int32Array(new SharedArrayBuffer(4)),
  }
}

/**
 * Starts a relay thread double: it speaks the relay protocol without PostgreSQL or Kafka.
 * Its code is `relayDouble`'s own text, evaluated in the thread.
 */
export function spawnRelayDouble(data: RelayWorkerData): Worker {
  return new Worker(`(${relayDouble.toString()})()`, { eval: true, workerData: data })
}

/** The thread's code: self-contained, as it runs from its text alone. */
function relayDouble(): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads')
  const data = workerData as RelayWorkerData & { starts: Int32Array }
  const port = parentPort
  if (!port) return
  const behaviour = data.relayName
  const start = Atomics.add(data.starts, 0, 1)
  let published = 0
  const status = () => ({
    type: 'status',
    status: {
      leader: true,
      published,
      connected: true,
      lastError: undefined,
      lastProgressAt: Date.now(),
      parked: { waiting: 0 },
    },
  })
  // Like the real thread's library timers: after `stopped`, the host has to end the thread.
  setInterval(() => undefined, 1000)
  port.on('message', (message: { type: string; id?: number }) => {
    if (message.type === 'nudge') {
      published += 1
      port.postMessage(status())
    } else if (message.type === 'lag') {
      if (behaviour !== 'mute-lag') port.postMessage({ type: 'lag', id: message.id, lag: 7 })
    } else if (message.type === 'stop' && behaviour !== 'hangs-on-stop') {
      port.postMessage(status())
      port.postMessage({ type: 'stopped' })
    }
  })
  if (behaviour === 'dies-first' && start === 0) {
    published = 5
    port.postMessage(status())
    setTimeout(() => process.exit(3), 20)
  } else {
    port.postMessage(status())
  }
}
