import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName } from '../../harness/services'
import { projectPath } from '../../src/project-root'
import { makeTestPki, type TestPki } from '../support/certificates'

const CLI = projectPath('dist', 'cli.js')

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
    const failure = await promisify(execFile)(process.execPath, [CLI, 'start'], {
      env: {
        PATH: process.env.PATH ?? '',
        TLS_CERT_FILE: pki.serverCert,
        TLS_KEY_FILE: missing,
      },
      timeout: 30_000,
    }).then(
      () => undefined,
      (err: unknown) => err as { code: number; stderr: string },
    )
    expect(failure?.code).toBe(2)
    expect(failure?.stderr).toContain(`TLS_KEY_FILE: ${missing}: no such file`)
  })
})
