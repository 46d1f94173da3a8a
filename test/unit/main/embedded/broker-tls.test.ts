import { readFileSync } from 'node:fs'
import { loadConfig } from '../../../../src/main/config'
import { type TestPki } from '../../../support/certificates'
import { configProblems, temporaryPki } from '../../../support/config-problems'

let pki: TestPki

beforeAll(() => {
  pki = temporaryPki('broker-tls')
})

describe("the embedded broker's TLS listener settings", () => {
  it('read the port, certificate, key and client CA, listening on 127.0.0.1 unless told', () => {
    const { embeddedTls } = loadConfig({
      EMBEDDED_MQTT_TLS_PORT: '8883',
      EMBEDDED_MQTT_TLS_CERT_FILE: pki.serverCert,
      EMBEDDED_MQTT_TLS_KEY_FILE: pki.serverKey,
      EMBEDDED_MQTT_TLS_CLIENT_CA_FILE: pki.caCert,
    }).mqtt
    expect(embeddedTls).toEqual({
      port: 8883,
      host: '127.0.0.1',
      cert: readFileSync(pki.serverCert, 'utf8'),
      key: readFileSync(pki.serverKey, 'utf8'),
      clientCa: readFileSync(pki.caCert, 'utf8'),
    })
    expect(loadConfig({}).mqtt.embeddedTls).toBeUndefined()
  })

  it('want the port, the certificate and the key together', () => {
    expect(configProblems({ EMBEDDED_MQTT_TLS_PORT: '8883' })).toEqual([
      "EMBEDDED_MQTT_TLS_PORT: the embedded broker's TLS listener needs EMBEDDED_MQTT_TLS_CERT_FILE and EMBEDDED_MQTT_TLS_KEY_FILE",
    ])
    expect(
      configProblems({
        EMBEDDED_MQTT_TLS_CERT_FILE: pki.serverCert,
        EMBEDDED_MQTT_TLS_KEY_FILE: pki.serverKey,
      }),
    ).toEqual(["EMBEDDED_MQTT_TLS_PORT: the embedded broker's TLS listener needs a port"])
    expect(
      configProblems({ EMBEDDED_MQTT_TLS_PORT: '8883', EMBEDDED_MQTT_TLS_KEY_FILE: pki.serverKey }),
    ).toEqual([
      "EMBEDDED_MQTT_TLS_KEY_FILE: the embedded broker's TLS listener needs EMBEDDED_MQTT_TLS_CERT_FILE too (both or neither)",
    ])
  })

  it('name the setting of each missing or wrong file, all at once', () => {
    expect(
      configProblems({
        EMBEDDED_MQTT_TLS_PORT: '8883',
        EMBEDDED_MQTT_TLS_CERT_FILE: '/nonexistent/broker.pem',
        EMBEDDED_MQTT_TLS_KEY_FILE: pki.clientKey,
        EMBEDDED_MQTT_TLS_CLIENT_CA_FILE: pki.serverKey,
      }),
    ).toEqual([
      'EMBEDDED_MQTT_TLS_CERT_FILE: /nonexistent/broker.pem: no such file',
      `EMBEDDED_MQTT_TLS_CLIENT_CA_FILE: ${pki.serverKey} holds no PEM certificate`,
    ])
    expect(
      configProblems({
        EMBEDDED_MQTT_TLS_PORT: '8883',
        EMBEDDED_MQTT_TLS_CERT_FILE: pki.serverCert,
        EMBEDDED_MQTT_TLS_KEY_FILE: pki.clientKey,
      }),
    ).toEqual([`EMBEDDED_MQTT_TLS_KEY_FILE: ${pki.clientKey} is not the key of ${pki.serverCert}`])
  })
})
