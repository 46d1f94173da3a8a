import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mqtt from 'mqtt'
import { committedMessageIds as committed } from '../../harness/committed-messages'
import { embeddedCredential } from '../../harness/embedded-credentials'
import { refusedStart, runLogged } from '../../harness/logged-run'
import { productionMessages } from '../../harness/mqtt-publisher'
import { registerSecret } from '../../harness/run-secrets'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, freePort, uniqueName, waitFor } from '../../harness/services'
import { projectPath } from '../../src/project-root'
import { makeTestPki, type TestPki } from '../support/certificates'

/** Connects and resolves with the client, or rejects with the first error or close. */
function connect(url: string, options: mqtt.IClientOptions = {}): Promise<mqtt.MqttClient> {
  const client = mqtt.connect(url, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  })
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client))
    client.once('error', (err) => {
      client.end(true)
      reject(err)
    })
    client.once('close', () => reject(new Error('closed before CONNACK')))
  })
}

/**
 * The embedded broker's TLS listener, with certificates made by openssl: devices connect over
 * it with their credentials, a client that does not trust the CA cannot, and another
 * service's MQTT client (`mqtts://` with `MQTT_CA_FILE`) ingests through it.
 */
describe('the embedded broker over TLS', () => {
  const prefix = uniqueName('ebt')
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'millstream-broker-tls-'))
  let pki: TestPki
  let service: ServiceProcess
  let databaseUrl: string
  let tlsPort: number
  const services: ServiceProcess[] = []

  beforeAll(async () => {
    pki = makeTestPki(path.join(dataDir, 'tls'))
    databaseUrl = await createTestDatabase()
    tlsPort = await freePort()
    service = await ServiceProcess.start({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      EMBEDDED_MQTT_PORT: String(await freePort()),
      EMBEDDED_MQTT_TLS_PORT: String(tlsPort),
      EMBEDDED_MQTT_TLS_CERT_FILE: pki.serverCert,
      EMBEDDED_MQTT_TLS_KEY_FILE: pki.serverKey,
      MQTT_TOPIC_PREFIX: prefix,
      SPARKPLUG: 'false',
    })
    services.push(service)
  })
  afterAll(async () => {
    for (const s of services) await s.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('applies the message a device sends over TLS with its own credentials', async () => {
    const { stdout } = await runLogged(
      process.execPath,
      [projectPath('dist', 'cli.js'), 'devices', 'add', '7'],
      {
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, MQTT_TOPIC_PREFIX: prefix },
        label: 'cli-devices-add',
        stdoutIsSecret: true,
      },
    )
    const password = stdout.trim()
    registerSecret('MQTT device 7 password (TLS)', password)
    const device = await connect(`mqtts://127.0.0.1:${tlsPort}`, {
      username: '7',
      password,
      ca: readFileSync(pki.caCert),
    })
    const [own] = productionMessages(prefix, 7, 7, 6)
    if (!own) throw new Error('no message')
    await device.publishAsync(own.topic, own.payload, { qos: 1 })
    await device.endAsync()
    await waitFor('the device’s message', async () =>
      (await committed(databaseUrl, ['msg-6'])).length === 1 ? true : undefined,
    )
  })

  it('is refused by a client that does not trust its CA, and answers nothing in clear', async () => {
    const { username, password } = embeddedCredential(dataDir, 'gateway-1')
    await expect(
      connect(`mqtts://127.0.0.1:${tlsPort}`, { username, password }),
    ).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })
    await expect(
      connect(`mqtt://127.0.0.1:${tlsPort}`, { username, password, connectTimeout: 2000 }),
    ).rejects.toThrow()
  })

  it('carries another service’s ingest when its MQTT_URL is mqtts:// with MQTT_CA_FILE', async () => {
    const { username, password } = embeddedCredential(dataDir, 'gateway-1')
    const otherDatabase = await createTestDatabase()
    const other = await ServiceProcess.start({
      DATABASE_URL: otherDatabase,
      MQTT_URL: `mqtts://${username}:${encodeURIComponent(password)}@127.0.0.1:${tlsPort}`,
      MQTT_CA_FILE: pki.caCert,
      MQTT_CLIENT_ID: uniqueName('ms-tls-'),
      MQTT_TOPIC_PREFIX: prefix,
      SPARKPLUG: 'false',
    })
    services.push(other)
    const simulator = embeddedCredential(dataDir, 'simulator')
    const gateway = await connect(`mqtts://127.0.0.1:${tlsPort}`, {
      ...simulator,
      ca: readFileSync(pki.caCert),
    })
    const batch = productionMessages(prefix, 3, 20, 20)
    for (const m of batch) await gateway.publishAsync(m.topic, m.payload, { qos: 1 })
    await gateway.endAsync()
    const ids = batch.map((m) => (JSON.parse(m.payload) as { messageId: string }).messageId)
    await waitFor('every message in the other service’s log', async () =>
      (await committed(otherDatabase, ids)).length === ids.length ? true : undefined,
    )
  })

  it('asks for a client certificate the client CA signed when given one', async () => {
    const port = await freePort()
    const strictDir = mkdtempSync(path.join(os.tmpdir(), 'millstream-broker-mtls-'))
    const strict = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      DATA_DIR: strictDir,
      EMBEDDED_MQTT_PORT: String(await freePort()),
      EMBEDDED_MQTT_TLS_PORT: String(port),
      EMBEDDED_MQTT_TLS_CERT_FILE: pki.serverCert,
      EMBEDDED_MQTT_TLS_KEY_FILE: pki.serverKey,
      EMBEDDED_MQTT_TLS_CLIENT_CA_FILE: pki.caCert,
      MQTT_TOPIC_PREFIX: prefix,
      SPARKPLUG: 'false',
    })
    services.push(strict)
    const credential = embeddedCredential(strictDir, 'gateway-1')
    const ca = readFileSync(pki.caCert)
    await expect(connect(`mqtts://127.0.0.1:${port}`, { ...credential, ca })).rejects.toThrow()
    const client = await connect(`mqtts://127.0.0.1:${port}`, {
      ...credential,
      ca,
      cert: readFileSync(pki.clientCert),
      key: readFileSync(pki.clientKey),
    })
    expect(client.connected).toBe(true)
    await client.endAsync()
  })

  it('will not start with a missing key file, naming the setting', async () => {
    const missing = path.join(pki.dir, 'no-such.key')
    const failure = await refusedStart({
      EMBEDDED_MQTT_TLS_PORT: String(tlsPort),
      EMBEDDED_MQTT_TLS_CERT_FILE: pki.serverCert,
      EMBEDDED_MQTT_TLS_KEY_FILE: missing,
    })
    expect(failure?.code).toBe(2)
    expect(failure?.stderr).toContain(`EMBEDDED_MQTT_TLS_KEY_FILE: ${missing}: no such file`)
  })
})
