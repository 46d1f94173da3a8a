import mqtt, { type MqttClient } from 'mqtt'
import { due, newLoadState, serveLoad } from './load-child'
import { benchMessage } from './messages'
import type { LoadCommand } from './protocol'

/*
 * The load generator, a process of its own so it never shares an event loop with what it
 * measures: N virtual machines publishing production and telemetry at QoS 1, either as fast
 * as the bench allows (closed loop) or at a fixed rate (open loop).
 */

type Start = Extract<LoadCommand, { type: 'start' }>

let clients: MqttClient[] = []
let start: Start | undefined
const state = newLoadState()
const inFlight: number[] = []

function pump(): void {
  if (!start) return
  const target = due(state)
  const now = Date.now()
  while (state.published < target) {
    // Machine m always goes through the same connection, so its messages stay in order.
    const machine = state.published % start.mix.machines
    const c = machine % clients.length
    if ((inFlight[c] ?? 0) >= start.maxInFlight) break
    const { topic, payload } = benchMessage(
      start.topicPrefix,
      start.mix,
      start.runId,
      state.published,
      now,
    )
    inFlight[c] = (inFlight[c] ?? 0) + 1
    state.published++
    clients[c]?.publish(topic, payload, { qos: 1 }, (err) => {
      inFlight[c] = (inFlight[c] ?? 1) - 1
      if (err) state.failed++
      else state.acked++
    })
  }
}

async function connect(cmd: Start): Promise<void> {
  clients = await Promise.all(
    Array.from({ length: cmd.connections }, (_, i) =>
      mqtt.connectAsync(cmd.mqttUrl, {
        clientId: `bench-load-${cmd.runId}-${i}`,
        protocolVersion: 4,
        clean: true,
        // The broker may be busy for seconds under full load; do not give up on it.
        keepalive: 60,
        reconnectPeriod: 500,
      }),
    ),
  )
  start = cmd
}

serveLoad('start', state, { start: connect, pump, clients: () => clients })
