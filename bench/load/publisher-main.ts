import mqtt, { type MqttClient } from 'mqtt'
import { benchMessage } from './messages'
import type { LoadCommand, LoadReport } from './protocol'

/*
 * The load generator, a process of its own so it never shares an event loop with what it
 * measures: N virtual machines publishing production and telemetry at QoS 1, either as fast
 * as the bench allows (closed loop) or at a fixed rate (open loop).
 */

type Start = Extract<LoadCommand, { type: 'start' }>

let clients: MqttClient[] = []
let start: Start | undefined
let published = 0
let acked = 0
let failed = 0
let allowed = 0
let rate = 0
let rateFrom = 0
let rateBase = 0
const inFlight: number[] = []

function send(report: LoadReport): void {
  // The bench may have let go of us already (it stops listening once the run is over).
  if (process.connected) process.send?.(report)
}

function progress(): LoadReport {
  return { type: 'progress', published, acked, failed }
}

/** Messages due now: all allowed (closed loop) or as many as the rate has earned (open loop). */
function due(): number {
  if (rate > 0) return rateBase + Math.floor(((Date.now() - rateFrom) * rate) / 1000)
  return allowed
}

function pump(): void {
  if (!start) return
  const target = due()
  const now = Date.now()
  while (published < target) {
    // Machine m always goes through the same connection, so its messages stay in order.
    const machine = published % start.mix.machines
    const c = machine % clients.length
    if ((inFlight[c] ?? 0) >= start.maxInFlight) break
    const { topic, payload } = benchMessage(
      start.topicPrefix,
      start.mix,
      start.runId,
      published,
      now,
    )
    inFlight[c] = (inFlight[c] ?? 0) + 1
    published++
    clients[c]?.publish(topic, payload, { qos: 1 }, (err) => {
      inFlight[c] = (inFlight[c] ?? 1) - 1
      if (err) failed++
      else acked++
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

process.on('message', (raw: LoadCommand) => {
  switch (raw.type) {
    case 'start':
      void connect(raw).then(
        () => send(progress()),
        (err: unknown) => {
          console.error('load: connect failed', err)
          process.exit(1)
        },
      )
      break
    case 'allow':
      rate = 0
      allowed = Math.max(allowed, raw.upTo)
      break
    case 'rate':
      rate = raw.perSecond
      rateFrom = Date.now()
      rateBase = published
      allowed = published
      break
    case 'stop':
      rate = 0
      allowed = published
      void Promise.all(clients.map((c) => c.endAsync())).finally(() => {
        send(progress())
        process.disconnect?.()
      })
      break
  }
})

setInterval(pump, 2).unref()
setInterval(() => send(progress()), 100).unref()
