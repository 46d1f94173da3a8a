import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { embeddedBrokerUrl } from '../../harness/embedded-credentials'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, freePort, uniqueName, waitFor } from '../../harness/services'
import { expectAllApplied, expectReadyWithin, SteadyLoad } from '../../harness/steady-load'

const MiB = 1024 * 1024
/** The service's RSS stays under this (the broker runs inside it). */
const RSS_BOUND = 400 * MiB

/** One sample's value from the service's /metrics, 0 when absent. */
async function metric(service: ServiceProcess, sample: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  return line === undefined ? 0 : Number(line.slice(sample.length + 1))
}

/**
 * The embedded broker's bounds, against the service started without MQTT_URL, while the steady
 * load of 50 machines flows through the same broker.
 */
describe('hostile clients of the embedded broker', () => {
  const prefix = uniqueName('heb')
  let service: ServiceProcess
  let databaseUrl: string
  let mqttUrl: string
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'millstream-heb-'))

  beforeAll(async () => {
    databaseUrl = await createTestDatabase()
    const port = await freePort()
    service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      EMBEDDED_MQTT_PORT: String(port),
      MQTT_TOPIC_PREFIX: prefix,
      SPARKPLUG: 'false',
      EMBEDDED_MQTT_MAX_PACKET_BYTES: '16384',
      EMBEDDED_MQTT_SESSION_QUEUE: '100',
      LOG_LEVEL: 'error',
    })
    // Every client below uses the gateway credential the service wrote on first start.
    mqttUrl = embeddedBrokerUrl(port, dataDir)
  })
  afterAll(async () => {
    await service.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('cuts off a client sending a packet over the limit and bounds an absent session’s queue, while every valid message is applied', async () => {
    const load = await SteadyLoad.start({ mqttUrl, prefix })
    // A persistent session that subscribes to everything and goes away.
    const idle = await mqtt.connectAsync(mqttUrl, {
      clientId: uniqueName('idle-'),
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
    })
    await idle.subscribeAsync(`${prefix}/#`, { qos: 1 })
    await idle.endAsync()

    const big = await mqtt.connectAsync(mqttUrl, {
      clientId: uniqueName('big-'),
      protocolVersion: 4,
      reconnectPeriod: 0,
    })
    await big.publishAsync(`${prefix}/machines/1/telemetry`, Buffer.alloc(8000, 32), { qos: 1 })
    const closed = new Promise<void>((resolve) => big.once('close', () => resolve()))
    big.publish(`${prefix}/machines/1/telemetry`, Buffer.alloc(20_000, 32), { qos: 1 })
    await closed
    expect(big.connected).toBe(false)
    await big.endAsync(true)

    // The load goes on past the idle session's bound: its queue stops at 100.
    await waitFor(
      'the idle session’s queue to reach its bound',
      async () =>
        (await metric(service, 'millstream_bound_reached_total{bound="embedded-session-queue"}')) >
        500
          ? true
          : undefined,
      30_000,
    )
    const result = await load.stop()
    await expectReadyWithin(service.url, 10_000)
    await expectAllApplied({ databaseUrl, load: result })
    expect(service.rssBytes()).toBeLessThan(RSS_BOUND)

    // The idle session comes back to at most the bound's worth of messages.
    // Listening before connecting: the queue follows the CONNACK at once, in the same read.
    let received = 0
    const back = mqtt.connect(mqttUrl, {
      clientId: idle.options.clientId,
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
    })
    const marker = `${prefix}/end-of-queue`
    let markerSeen = false
    back.on('message', (topic) => {
      if (topic === marker) markerSeen = true
      else received += 1
    })
    await waitFor(
      'the queued messages',
      () => Promise.resolve(received >= 100 ? true : undefined),
      10_000,
    )
    // A message of its own, sent now, comes after everything queued for the session: any
    // message beyond the bound would show before it (none may).
    await back.publishAsync(marker, 'end', { qos: 1 })
    await waitFor(
      'the marker after the queue',
      () => Promise.resolve(markerSeen || undefined),
      10_000,
    )
    await back.endAsync()
    expect(received).toBe(100)
  }, 60_000)
})
