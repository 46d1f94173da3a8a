import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../../src/main/config'
import { kafkaConnectionOptions } from '../../../src/publish/kafka-security'
import { makeTestPki, type TestPki } from '../../support/certificates'
import { configProblems } from '../../support/config-problems'

let pki: TestPki
let passwordFile: string

beforeAll(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'millstream-kafka-security-'))
  pki = makeTestPki(dir)
  passwordFile = path.join(dir, 'kafka-password')
  writeFileSync(passwordFile, 'pw-kafka\n', { mode: 0o600 })
})

describe('Kafka security settings', () => {
  it('are off by default: no TLS, no SASL', () => {
    expect(kafkaConnectionOptions(loadConfig({}).kafka.security)).toEqual({})
  })

  it('read the CA, client certificate, key and password file into verified TLS and SCRAM', () => {
    const config = loadConfig({
      KAFKA_SSL_CA_FILE: pki.caCert,
      KAFKA_SSL_CERT_FILE: pki.clientCert,
      KAFKA_SSL_KEY_FILE: pki.clientKey,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'millstream',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    })
    const options = kafkaConnectionOptions(config.kafka.security)
    expect(options.ssl).toEqual({
      rejectUnauthorized: true,
      ca: [readFileSync(pki.caCert, 'utf8')],
      cert: readFileSync(pki.clientCert, 'utf8'),
      key: readFileSync(pki.clientKey, 'utf8'),
    })
    // The file's line break is not part of the password.
    expect(options.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'millstream',
      password: 'pw-kafka',
    })
  })

  it('turns TLS on with KAFKA_SSL alone, verifying against the system CAs', () => {
    const options = kafkaConnectionOptions(loadConfig({ KAFKA_SSL: 'true' }).kafka.security)
    expect(options.ssl).toEqual({ rejectUnauthorized: true })
  })

  it('lists every missing, unreadable or wrong file and missing setting at once', () => {
    const problems = configProblems({
      KAFKA_SSL_CA_FILE: '/nonexistent/ca.pem',
      KAFKA_SSL_CERT_FILE: pki.caKey, // a key where a certificate belongs
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_PASSWORD_FILE: path.dirname(pki.caCert),
      MQTT_URL: 'mqtt://h:1883',
      MQTT_CA_FILE: pki.caCert,
    })
    expect(problems).toEqual(
      expect.arrayContaining([
        'KAFKA_SSL_CA_FILE: /nonexistent/ca.pem: no such file',
        `KAFKA_SSL_CERT_FILE: ${pki.caKey} holds no PEM certificate`,
        expect.stringMatching(/^KAFKA_SSL_CERT_FILE: a client certificate needs both/),
        'KAFKA_SASL_USERNAME: KAFKA_SASL_MECHANISM=scram-sha-512 needs it',
        `KAFKA_SASL_PASSWORD_FILE: ${path.dirname(pki.caCert)}: is a directory`,
        expect.stringMatching(/^MQTT_CA_FILE.*need MQTT_URL=mqtts/),
      ]),
    )
    expect(problems).toHaveLength(6)
  })

  it('refuses a key that is not the certificate’s, and an empty password file', () => {
    const empty = path.join(pki.dir, 'empty-password')
    writeFileSync(empty, '\n')
    const problems = configProblems({
      KAFKA_SSL_CERT_FILE: pki.clientCert,
      KAFKA_SSL_KEY_FILE: pki.serverKey,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD_FILE: empty,
    })
    expect(problems).toEqual([
      `KAFKA_SSL_KEY_FILE: ${pki.serverKey} is not the key of ${pki.clientCert}`,
      `KAFKA_SASL_PASSWORD_FILE: ${empty} is empty`,
    ])
  })

  it('refuses SASL PLAIN without TLS: the password would travel in clear', () => {
    expect(
      configProblems({
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD_FILE: passwordFile,
      }),
    ).toEqual(['KAFKA_SASL_MECHANISM: plain sends the password in clear; set KAFKA_SSL=true'])
  })

  it('never puts a password into a problem', () => {
    const problems = configProblems({
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    })
    expect(problems.join('\n')).not.toContain('pw-kafka')
    expect(problems).toEqual([
      'KAFKA_SASL_MECHANISM: set it (scram-sha-512) to log in with the username',
    ])
  })
})
