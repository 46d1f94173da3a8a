// The MQTT relay ceiling's publisher, forked by mqtt-relay.ts so that publishing does not share
// the subscriber's event loop (machines and millstream never do).
import mqtt, { type MqttClient } from 'mqtt'
import type { PublisherCommand, PublisherReport } from './mqtt-relay'

type Start = Extract<PublisherCommand, { kind: 'start' }>

let stopping = false

function report(message: PublisherReport): void {
  process.send?.(message)
}

process.on('message', (message: PublisherCommand) => {
  if (message.kind === 'stop') stopping = true
  else
    run(message).catch((err: unknown) => {
      report({ kind: 'failed', message: err instanceof Error ? err.message : String(err) })
      process.exitCode = 1
    })
})
// A parent that went away leaves no publisher behind.
process.on('disconnect', () => {
  stopping = true
})

async function run(start: Start): Promise<void> {
  const client = await mqtt.connectAsync(start.url, {
    clientId: `${start.topicRoot}-pub`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  })
  try {
    report({ kind: 'ready' })
    report({ kind: 'stopped', ...(await publishUntilStopped(client, start)) })
  } finally {
    await client.endAsync(true)
  }
}

/** Publishes round-robin over the machines' topics, keeping up to `window` unacknowledged. */
async function publishUntilStopped(
  client: MqttClient,
  start: Start,
): Promise<{ published: number; acknowledged: number }> {
  const topics = Array.from(
    { length: start.machines },
    (_, i) => `${start.topicRoot}/machines/${i + 1}/production`,
  )
  const payloads = topics.map((_, i) => Buffer.from(productionPayload(i + 1, start.payloadBytes)))
  let published = 0
  let acknowledged = 0
  let inFlight = 0
  let failure: Error | undefined
  let wake = (): void => undefined
  const slotFreed = (): Promise<void> => new Promise((resolve) => (wake = resolve))

  while (!stopping && failure === undefined) {
    if (inFlight >= start.window) {
      await slotFreed()
      continue
    }
    const machine = published % start.machines
    inFlight += 1
    published += 1
    void client
      .publishAsync(topics[machine] as string, payloads[machine] as Buffer, { qos: 1 })
      .then(
        () => (acknowledged += 1),
        (err: unknown) => (failure ??= err instanceof Error ? err : new Error(String(err))),
      )
      .finally(() => {
        inFlight -= 1
        wake()
      })
  }
  // Waits out the PUBACKs in flight, so the broker took every message counted as published.
  while (inFlight > 0 && failure === undefined) await slotFreed()
  if (failure !== undefined) throw failure
  return { published, acknowledged }
}

/** A production report like a machine gateway's, padded to about `bytes` bytes. */
function productionPayload(machineId: number, bytes: number): string {
  const report = {
    timeOfProduction: new Date(1_702_166_400_000 + machineId * 1000).toISOString(),
    order: 1000 + machineId,
    partId: 1 + (machineId % 4),
    machineId,
    var1: 12.5,
    var2: `lot-${machineId}`,
    var4: 3.25,
    var5: false,
    messageId: `bench-${machineId}`,
  }
  const bare = JSON.stringify({ ...report, pad: '' }).length
  return JSON.stringify({ ...report, pad: 'x'.repeat(Math.max(0, bytes - bare)) })
}
