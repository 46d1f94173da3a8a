import { mkdtempSync, readFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName } from '../../harness/services'
import { makeTestPki, type TestPki } from '../support/certificates'
import { refusedStart } from '../../harness/logged-run'

describe("HTTPS on the service's own listener", () => {
  let pki: TestPki
  let service: ServiceProcess

  beforeAll(async () => {
    pki = makeTestPki(mkdtempSync(path.join(tmpdir(), 'millstream-https-')))
    service = await ServiceProcess.start(
      {
        DATABASE_URL: await createTestDatabase(),
        MQTT_URL: services().mqttUrl,
        MQTT_TOPIC_PREFIX: uniqueName('https'),
        MQTT_CLIENT_ID: uniqueName('ms-https-'),
        TLS_CERT_FILE: pki.serverCert,
        TLS_KEY_FILE: pki.serverKey,
      },
      [],
      { httpsCa: pki.caCert },
    )
  })
  afterAll(async () => {
    await service?.kill('SIGTERM')
  })

  it('answers the API over HTTPS to a client that trusts the CA, with the security headers', async () => {
    expect(service.url).toMatch(/^https:/)
    const res = await service.request('/api/v1/machines')
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toMatchObject({ items: [] })
    expect(res.headers).toMatchObject({
      'strict-transport-security': 'max-age=31536000',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': "frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
    })
  })

  it('answers nothing over plain HTTP on the same port', async () => {
    const plain = await fetch(`http://127.0.0.1:${service.httpPort}/healthz`, {
      signal: AbortSignal.timeout(5000),
    }).then(
      (res) => res.status,
      (err: unknown) => err,
    )
    // The TLS server reads the request as a broken handshake and closes the socket.
    expect(plain).toMatchObject({ cause: { code: 'UND_ERR_SOCKET' } })
  })

  it('is refused by a client that does not trust its CA', async () => {
    const untrusted = await fetch(`${service.url}/healthz`, {
      signal: AbortSignal.timeout(5000),
    }).then(
      (res) => res.status,
      (err: unknown) => err,
    )
    expect(untrusted).toMatchObject({ cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } })
  })

  it('will not start with a missing key file, and names it', async () => {
    const missing = path.join(pki.dir, 'no-such.key')
    const failure = await refusedStart({ TLS_CERT_FILE: pki.serverCert, TLS_KEY_FILE: missing })
    expect(failure?.code).toBe(2)
    expect(failure?.stderr).toContain(`TLS_KEY_FILE: ${missing}: no such file`)
  })
})

/** A GET over HTTPS with these TLS options: the status, or the error's code. */
function getWith(url: string, tls: { ca: string; cert?: string; key?: string }): Promise<unknown> {
  return new Promise((resolve) => {
    const req = request(url, { ...tls, timeout: 5000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('timeout', () => req.destroy(new Error('no answer in 5 s')))
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
    req.end()
  })
}

describe("client certificates on the service's HTTPS listener", () => {
  let pki: TestPki
  let foreign: TestPki
  let service: ServiceProcess

  beforeAll(async () => {
    pki = makeTestPki(mkdtempSync(path.join(tmpdir(), 'millstream-mtls-')))
    foreign = makeTestPki(mkdtempSync(path.join(tmpdir(), 'millstream-mtls-foreign-')))
    service = await ServiceProcess.start(
      {
        DATABASE_URL: await createTestDatabase(),
        MQTT_URL: services().mqttUrl,
        MQTT_TOPIC_PREFIX: uniqueName('mtls'),
        MQTT_CLIENT_ID: uniqueName('ms-mtls-'),
        TLS_CERT_FILE: pki.serverCert,
        TLS_KEY_FILE: pki.serverKey,
        TLS_CLIENT_CA_FILE: pki.caCert,
      },
      [],
      { httpsCa: pki.caCert, clientCert: { cert: pki.clientCert, key: pki.clientKey } },
    )
  })
  afterAll(async () => {
    await service?.kill('SIGTERM')
  })

  it('answers a client showing a certificate the client CA signed', async () => {
    const res = await service.request('/api/v1/machines')
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toMatchObject({ items: [] })
  })

  it('refuses a client without a certificate, or with one another CA signed, in the handshake', async () => {
    const ca = readFileSync(pki.caCert, 'utf8')
    const url = `${service.url}/api/v1/machines`
    // TLS 1.3: the server's alert reaches the client as its first read fails.
    expect(await getWith(url, { ca })).toMatch(/CERTIFICATE_REQUIRED|ECONNRESET/)
    expect(
      await getWith(url, {
        ca,
        cert: readFileSync(foreign.clientCert, 'utf8'),
        key: readFileSync(foreign.clientKey, 'utf8'),
      }),
    ).toMatch(/UNKNOWN_CA|ECONNRESET/)
  })
})
