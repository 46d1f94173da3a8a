import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import path from 'node:path'
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt'
import { runLogged } from '../../harness/logged-run'
import { keepLogs } from '../../harness/run-logs'
import { registerSecret } from '../../harness/run-secrets'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, freePort, waitFor } from '../../harness/services'
import { PROJECT_ROOT } from '../../src/project-root'
import { makeTestPki, type TestPki } from '../support/certificates'

const DEPLOY = path.join(PROJECT_ROOT, 'deploy/mosquitto')
const PROVISION = path.join(DEPLOY, 'provision-device.sh')

let dir: string
let pki: TestPki
let broker: ChildProcess
let devicePort: number
let servicePort: number
const passwords: Record<string, string> = {}
const clients: MqttClient[] = []

/** deploy/'s mosquitto.conf and acl as they are, but for ports, paths and certificates. */
function rewriteConfig(): string {
  const conf = readFileSync(path.join(DEPLOY, 'mosquitto.conf'), 'utf8')
    .replace(/^listener 8883$/m, `listener ${devicePort} 127.0.0.1`)
    .replace(/^listener 8884$/m, `listener ${servicePort} 127.0.0.1`)
    .replaceAll('/mosquitto/config/passwd', path.join(dir, 'passwd'))
    .replaceAll('/mosquitto/config/acl', path.join(DEPLOY, 'acl'))
    .replaceAll('/mosquitto/certs/ca.pem', pki.caCert)
    .replaceAll('/mosquitto/certs/mosquitto.pem', pki.serverCert)
    .replaceAll('/mosquitto/certs/mosquitto.key', pki.serverKey)
    .replaceAll('/mosquitto/data/', `${dir}/`)
    .replace(/^log_dest stdout$/m, `log_dest file ${path.join(dir, 'mosquitto.log')}`)
  // Stay root (the tests run as root; the mosquitto user could not read the test's files).
  return `user root\n${conf}`
}

async function provision(...args: string[]): Promise<string> {
  const { stdout } = await runLogged(PROVISION, [...args, path.join(dir, 'passwd')], {
    timeout: 10_000,
    label: 'provision-device',
    stdoutIsSecret: true,
  })
  const password = stdout.trim()
  registerSecret(`Mosquitto device ${args[args.length - 1] ?? ''} password`, password)
  return password
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Connects and resolves with the client, or rejects with the broker's refusal. */
function connectTo(port: number, options: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
    ca: readFileSync(pki.caCert),
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  })
  clients.push(client)
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client))
    client.once('error', reject)
    client.once('close', () => reject(new Error('closed before CONNACK')))
  })
}

const device = (id: string, extra: IClientOptions = {}) =>
  connectTo(devicePort, { username: id, password: passwords[id], clientId: id, ...extra })

/** The service's login: its client certificate on the service listener. */
const service = (extra: IClientOptions = {}) =>
  connectTo(servicePort, {
    cert: readFileSync(pki.clientCert),
    key: readFileSync(pki.clientKey),
    clientId: 'millstream-ingest',
    ...extra,
  })

beforeAll(async () => {
  dir = mkdtempSync(path.join(PROJECT_ROOT, '.run', 'mosquitto-deploy-'))
  pki = makeTestPki(path.join(dir, 'tls'), 'millstream')
  devicePort = await freePort()
  servicePort = await freePort()
  passwords['press-1'] = await provision('press-1')
  passwords['press-2'] = await provision('press-2')
  writeFileSync(path.join(dir, 'mosquitto.conf'), rewriteConfig())
  broker = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' })
  await waitFor('mosquitto to listen', async () =>
    (await accepts(devicePort)) && (await accepts(servicePort)) ? true : undefined,
  )
})

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)))
  if (broker && broker.exitCode === null) {
    const exited = new Promise((resolve) => broker.once('exit', resolve))
    broker.kill('SIGTERM')
    await exited
  }
  keepLogs('mosquitto-deploy', [path.join(dir, 'mosquitto.log')])
  rmSync(dir, { recursive: true, force: true })
})

describe("deploy/'s Mosquitto: TLS only, passwords per device, a pattern ACL", () => {
  it('refuses a device without credentials, with a wrong password, without TLS, or revoked', async () => {
    await expect(connectTo(devicePort, { clientId: 'nobody' })).rejects.toMatchObject({ code: 5 })
    await expect(device('press-1', { password: 'guess' })).rejects.toMatchObject({ code: 5 })
    // The service listener wants a client certificate before any MQTT is spoken.
    await expect(
      connectTo(servicePort, { username: 'press-1', password: passwords['press-1'] }),
    ).rejects.toThrow()
    // Plain MQTT gets no answer from a TLS listener.
    const plain = mqtt.connect(`mqtt://127.0.0.1:${devicePort}`, {
      username: 'press-1',
      password: passwords['press-1'],
      reconnectPeriod: 0,
      connectTimeout: 2000,
    })
    clients.push(plain)
    await expect(
      new Promise((resolve, reject) => {
        plain.once('connect', resolve)
        plain.once('error', reject)
        plain.once('close', () => reject(new Error('closed')))
      }),
    ).rejects.toThrow()

    // Revoked with the script and the broker told to reload: the old password stops working.
    passwords['press-3'] = await provision('press-3')
    broker.kill('SIGHUP')
    const press3 = await waitFor('the new device to be let in', async () =>
      device('press-3').catch(() => undefined),
    )
    await press3.endAsync()
    await provision('--revoke', 'press-3')
    broker.kill('SIGHUP')
    await waitFor('the revocation to take effect', async () =>
      device('press-3').then(
        (c) => c.endAsync().then(() => undefined),
        (err: unknown) => err,
      ),
    )
    await expect(device('press-3')).rejects.toMatchObject({ code: 5 })
  })

  it("drops a device's publish to another machine's topic, and never lets it command", async () => {
    const svc = await service({ clientId: 'millstream-acl-reader', clean: true })
    const seen: string[] = []
    svc.on('message', (topic) => seen.push(topic))
    await svc.subscribeAsync(['factory/#', 'spBv1.0/#'], { qos: 1 })

    // MQTT 3.1.1: the broker acknowledges and drops it; the subscriber never sees it.
    const press1 = await device('press-1')
    await press1.publishAsync('factory/machines/press-2/production', '{"order":1}', { qos: 1 })
    await press1.publishAsync('factory/machines/press-1/production', '{"order":1}', { qos: 1 })
    // In order on one connection: once the allowed message is in, the forged one would be too.
    await waitFor('the allowed message', () =>
      Promise.resolve(seen.includes('factory/machines/press-1/production') ? true : undefined),
    )
    expect(seen).not.toContain('factory/machines/press-2/production')

    // MQTT 5: PUBACK says "not authorized" (135), for a forged machine and for a command.
    const v5 = await device('press-1', { protocolVersion: 5 })
    for (const topic of [
      'factory/machines/press-2/telemetry',
      'factory/machines/press-1/commands',
      'spBv1.0/line/NCMD/press-2',
      'spBv1.0/line/DCMD/press-1/dev',
    ])
      await expect(v5.publishAsync(topic, 'x', { qos: 1 })).rejects.toMatchObject({ code: 135 })
    await v5.publishAsync('spBv1.0/line/NDATA/press-1', 'ok', { qos: 1 })
    await waitFor('its own Sparkplug node data', () =>
      Promise.resolve(seen.includes('spBv1.0/line/NDATA/press-1') ? true : undefined),
    )
    expect(seen.filter((t) => t.includes('press-2') || /CMD|commands/.test(t))).toEqual([])
  })

  it("keeps the service's client id: a device using it gets its own name, the session stays", async () => {
    const svc = await service({ clientId: 'millstream-ingest', clean: false })
    let closes = 0
    svc.on('close', () => (closes += 1))
    const received: string[] = []
    svc.on('message', (_topic, payload) => received.push(payload.toString()))
    await svc.subscribeAsync('factory/machines/+/production', { qos: 1 })

    // The device asks for the service's id; the broker gives it its username instead, so the
    // service's session is neither taken over nor disconnected.
    const impostor = await device('press-2', { clientId: 'millstream-ingest', clean: false })
    await impostor.publishAsync('factory/machines/press-2/production', 'after-impostor', {
      qos: 1,
    })
    await waitFor('the message after the impostor connected', () =>
      Promise.resolve(received.includes('after-impostor') ? true : undefined),
    )
    expect(closes).toBe(0)
    expect(svc.connected).toBe(true)
  })

  it('lets the service in over TLS with its client certificate, and applies what devices send', async () => {
    const app = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      MQTT_URL: `mqtts://localhost:${servicePort}`,
      MQTT_CA_FILE: pki.caCert,
      MQTT_CERT_FILE: pki.clientCert,
      MQTT_KEY_FILE: pki.clientKey,
      MQTT_CLIENT_ID: 'millstream-ingest-tls',
    })
    try {
      const press1 = await device('press-1')
      await press1.publishAsync(
        'factory/machines/press-1/production',
        JSON.stringify({ timeOfProduction: '2024-03-01T09:00:00Z', order: 7, partId: 3 }),
        { qos: 1 },
      )
      const machine = await waitFor('the part to be applied', async () => {
        const res = await app.get<{ produced: number }>('/api/v1/machines/press-1')
        return res.status === 200 && res.body.produced === 1 ? res.body : undefined
      })
      expect(machine.produced).toBe(1)
      expect(app.logs()).not.toContain(passwords['press-1'])
    } finally {
      await app.kill('SIGTERM')
    }
  })
})
