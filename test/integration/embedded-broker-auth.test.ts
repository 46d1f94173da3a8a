import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { committedMessageIds } from '../../harness/committed-messages'
import { embeddedBrokerUrl, embeddedCredential } from '../../harness/embedded-credentials'
import { productionMessages } from '../../harness/mqtt-publisher'
import { runLogged } from '../../harness/logged-run'
import { registerSecret } from '../../harness/run-secrets'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, freePort, uniqueName, waitFor } from '../../harness/services'
import { projectPath } from '../../src/project-root'

/**
 * The embedded broker, started without MQTT_URL, requires credentials and lets each client
 * publish only what its credential allows; the service's own client ids are its alone.
 */
describe('the embedded broker’s credentials', () => {
  const prefix = uniqueName('eba')
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'millstream-auth-'))
  let service: ServiceProcess
  let databaseUrl: string
  let port: number
  const devicePasswords: string[] = []
  const env = () => ({
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    EMBEDDED_MQTT_PORT: String(port),
    MQTT_TOPIC_PREFIX: prefix,
    SPARKPLUG: 'false',
  })
  const committed = (messageIds: string[]) => committedMessageIds(databaseUrl, messageIds)
  const connect = (url: string, options: mqtt.IClientOptions = {}) =>
    mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, ...options })

  beforeAll(async () => {
    databaseUrl = await createTestDatabase()
    port = await freePort()
    service = await ServiceProcess.start(env())
  })
  afterAll(async () => {
    await service.kill('SIGTERM')
    // No password of this run, the service's own among them, appears in its log.
    const logs = service.logs()
    for (const who of ['simulator', 'gateway-1'] as const)
      expect(logs).not.toContain(embeddedCredential(dataDir, who).password)
    // The service's own credential is shown only redacted (`millstream-service:***@`).
    expect(logs).not.toMatch(/millstream-service:(?!\*\*\*@)[^@\s]+@/)
    for (const password of devicePasswords) expect(logs).not.toContain(password)
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('writes the simulator’s and a first gateway’s credentials 0600, hashed in the devices file', () => {
    for (const file of ['mqtt-devices.json', 'mqtt-simulator.json', 'mqtt-gateway-1.json'])
      expect(statSync(path.join(dataDir, file)).mode & 0o777).toBe(0o600)
    expect(service.logs()).toMatch(/credentials for the simulator and a first gateway written/)
  })

  it('refuses a client without credentials, or with a wrong password', async () => {
    await expect(connect(`mqtt://127.0.0.1:${port}`)).rejects.toThrow(/Bad username or password/)
    await expect(connect(`mqtt://gateway-1:guess@127.0.0.1:${port}`)).rejects.toThrow(
      /Bad username or password/,
    )
  })

  it('lets a device publish its own machine’s topics only, refusing and counting another machine’s', async () => {
    const { stdout } = await runLogged(
      process.execPath,
      [projectPath('dist', 'cli.js'), 'devices', 'add', '7'],
      {
        env: { PATH: process.env.PATH ?? '', ...env() },
        label: 'cli-devices-add',
        stdoutIsSecret: true,
      },
    )
    const password = stdout.trim()
    registerSecret('MQTT device 7 password', password)
    devicePasswords.push(password)
    const device = await connect(`mqtt://7:${password}@127.0.0.1:${port}`, {
      clientId: uniqueName('dev-7-'),
    })
    const [own] = productionMessages(prefix, 7, 7, 6) // machine 7
    const [other] = productionMessages(prefix, 7, 7, 0) // machine 1
    if (!own || !other) throw new Error('no messages')
    expect(own.topic).toBe(`${prefix}/machines/7/production`)
    await device.publishAsync(own.topic, own.payload, { qos: 1 })
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()))
    // MQTT 3.1.1 has no negative PUBACK: the broker closes the connection instead.
    device.publish(other.topic, other.payload, { qos: 1 })
    await closed
    device.end(true)
    await waitFor('the device’s own message', async () =>
      (await committed(['msg-6'])).length === 1 ? true : undefined,
    )
    const metrics = await (await fetch(`${service.url}/metrics`)).text()
    expect(metrics).toMatch(/millstream_embedded_mqtt_refused_total\{what="publish"\} [1-9]/)
    expect(await committed(['msg-0'])).toEqual([])
  })

  it('refuses the service’s client id to any other credential, and nothing is lost from the service’s session', async () => {
    const gatewayUrl = embeddedBrokerUrl(port, dataDir)
    const gateway = await connect(gatewayUrl, { clientId: uniqueName('gw-') })
    const batch = productionMessages(prefix, 5, 100, 100)
    const publish = async (from: number, to: number) => {
      for (const m of batch.slice(from, to))
        await gateway.publishAsync(m.topic, m.payload, { qos: 1 })
    }
    // Messages before, during and after the attempts to take over the service's session.
    await publish(0, 40)
    const during = publish(40, 70)
    await expect(
      connect(gatewayUrl, { clientId: 'millstream-ingest', clean: false }),
    ).rejects.toThrow(/Not authorized/)
    await expect(connect(gatewayUrl, { clientId: 'millstream-ingest-sparkplug' })).rejects.toThrow(
      /Not authorized/,
    )
    await during
    // Subscribing to everything is the service's alone: the broker grants 0x80.
    await expect(gateway.subscribeAsync('#', { qos: 1 })).rejects.toThrow(/Subscribe error/)
    await publish(70, 100)
    await gateway.endAsync()
    const ids = batch
      .map((m) => JSON.parse(m.payload) as { messageId: string })
      .map((p) => p.messageId)
    await waitFor('every message the gateway published', async () =>
      (await committed(ids)).length === ids.length ? true : undefined,
    )
    const metrics = await (await fetch(`${service.url}/metrics`)).text()
    expect(metrics).toMatch(/millstream_embedded_mqtt_refused_total\{what="connect"\} [4-9]/)
  })
})
