import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../../../src/main/config'
import { mqttConnectionOptions } from '../../../src/streams/mqtt-security'
import { type TestPki } from '../../support/certificates'
import { configProblems, temporaryPki } from '../../support/config-problems'

let pki: TestPki

beforeAll(() => {
  pki = temporaryPki('mqtt-security')
})

describe('MQTT security settings', () => {
  it('give every MQTT client the CA, client certificate and key, verification on', () => {
    const passwordFile = path.join(pki.dir, 'mqtt-password')
    writeFileSync(passwordFile, 'pw-mqtt\n')
    const config = loadConfig({
      MQTT_URL: 'mqtts://broker:8883',
      MQTT_CA_FILE: pki.caCert,
      MQTT_CERT_FILE: pki.clientCert,
      MQTT_KEY_FILE: pki.clientKey,
      MQTT_USERNAME: 'millstream',
      MQTT_PASSWORD_FILE: passwordFile,
    })
    expect(mqttConnectionOptions(config.mqtt.security)).toEqual({
      rejectUnauthorized: true,
      ca: readFileSync(pki.caCert, 'utf8'),
      cert: readFileSync(pki.clientCert, 'utf8'),
      key: readFileSync(pki.clientKey, 'utf8'),
      username: 'millstream',
      password: 'pw-mqtt',
    })
  })

  it('verify the broker even with no settings at all', () => {
    expect(mqttConnectionOptions(loadConfig({}).mqtt.security)).toEqual({
      rejectUnauthorized: true,
    })
  })

  it('refuse TLS files for the embedded broker, a password without a user, a missing key', () => {
    const problems = configProblems({
      MQTT_CERT_FILE: pki.clientCert,
      MQTT_PASSWORD_FILE: '/nonexistent/pw',
    })
    expect(problems).toEqual([
      'MQTT_CA_FILE, MQTT_CERT_FILE, MQTT_KEY_FILE: need MQTT_URL=mqtts://… (they are not used otherwise)',
      'MQTT_CERT_FILE: a client certificate needs both a certificate and a key file (no key file set)',
      'MQTT_USERNAME: MQTT_PASSWORD_FILE needs it',
      'MQTT_USERNAME, MQTT_PASSWORD_FILE: need MQTT_URL (an external broker)',
      'MQTT_PASSWORD_FILE: /nonexistent/pw: no such file',
    ])
  })
})
