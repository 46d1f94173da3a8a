import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../../../src/main/config'
import { type TestPki } from '../../support/certificates'
import { configProblems, temporaryPki } from '../../support/config-problems'

let pki: TestPki

beforeAll(() => {
  pki = temporaryPki('https-settings')
})

describe('HTTPS and HTTP hygiene settings', () => {
  it('read the certificate and key when both are set, and nothing when neither is', () => {
    const config = loadConfig({ TLS_CERT_FILE: pki.serverCert, TLS_KEY_FILE: pki.serverKey })
    expect(config.http.tls).toEqual({
      cert: readFileSync(pki.serverCert, 'utf8'),
      key: readFileSync(pki.serverKey, 'utf8'),
    })
    expect(loadConfig({}).http.tls).toBeUndefined()
  })

  it('read a client CA that makes the listener ask for client certificates, only with HTTPS', () => {
    const config = loadConfig({
      TLS_CERT_FILE: pki.serverCert,
      TLS_KEY_FILE: pki.serverKey,
      TLS_CLIENT_CA_FILE: pki.caCert,
    })
    expect(config.http.tls?.clientCa).toBe(readFileSync(pki.caCert, 'utf8'))
    expect(configProblems({ TLS_CLIENT_CA_FILE: pki.caCert })).toEqual([
      'TLS_CLIENT_CA_FILE: client certificates need HTTPS (TLS_CERT_FILE, TLS_KEY_FILE)',
    ])
    expect(
      configProblems({
        TLS_CERT_FILE: pki.serverCert,
        TLS_KEY_FILE: pki.serverKey,
        TLS_CLIENT_CA_FILE: pki.serverKey,
      }),
    ).toEqual([`TLS_CLIENT_CA_FILE: ${pki.serverKey} holds no PEM certificate`])
  })

  it('refuse one of the two without the other', () => {
    expect(configProblems({ TLS_CERT_FILE: pki.serverCert })).toEqual([
      'TLS_CERT_FILE: HTTPS needs TLS_KEY_FILE too (both or neither)',
    ])
    expect(configProblems({ TLS_KEY_FILE: pki.serverKey })).toEqual([
      'TLS_KEY_FILE: HTTPS needs TLS_CERT_FILE too (both or neither)',
    ])
  })

  it('list every problem of the files at once: missing, not a certificate, another key', () => {
    const notPem = path.join(pki.dir, 'not-a-cert.pem')
    writeFileSync(notPem, 'hello\n')
    expect(
      configProblems({ TLS_CERT_FILE: notPem, TLS_KEY_FILE: '/nonexistent/server.key' }),
    ).toEqual([
      'TLS_KEY_FILE: /nonexistent/server.key: no such file',
      `TLS_CERT_FILE: ${notPem} holds no PEM certificate`,
    ])
    expect(configProblems({ TLS_CERT_FILE: pki.serverCert, TLS_KEY_FILE: pki.clientKey })).toEqual([
      `TLS_KEY_FILE: ${pki.clientKey} is not the key of ${pki.serverCert}`,
    ])
  })

  it('take allowed hosts in lower case and exact CORS origins, refusing `*` and paths', () => {
    const config = loadConfig({
      HTTP_ALLOWED_HOSTS: 'Millstream.Plant.Example, localhost',
      CORS_ORIGINS: 'https://mes.plant.example,http://localhost:3000',
    })
    expect(config.http.allowedHosts).toEqual(['millstream.plant.example', 'localhost'])
    expect(config.http.corsOrigins).toEqual(['https://mes.plant.example', 'http://localhost:3000'])
    expect(configProblems({ CORS_ORIGINS: '*,https://mes.example/,mes.example' })).toEqual([
      'CORS_ORIGINS: `*` is refused; list the exact origins',
      'CORS_ORIGINS: https://mes.example/ is not an origin (scheme://host[:port], no path or slash)',
      'CORS_ORIGINS: mes.example is not an origin (scheme://host[:port])',
    ])
  })
})
