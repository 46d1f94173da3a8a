import path from 'node:path'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'
import { PROJECT_ROOT } from '../../src/project-root'
import { SecureKafka } from '../support/secure-kafka'
import { refusedStart, runLogged } from '../../harness/logged-run'

const PYTHON = process.env.MILLSTREAM_PYTHON ?? path.join(PROJECT_ROOT, '.venv/bin/python')
const KEY = 'sasl-key'
const CLI = path.join(PROJECT_ROOT, 'dist', 'cli.js')
const ORDERS = 20
const MQTT_URL_PASSWORD = `pw-mqtt-url-${process.pid}`

let kafka: SecureKafka

beforeAll(async () => {
  kafka = await SecureKafka.start()
})

afterAll(async () => {
  await kafka?.stop()
})

/** The Python client's `count` as `reader` over SASL_SSL, from the beginning of `topic`. */
async function pythonCountAsReader(topic: string, passwordFile: string) {
  const { stdout, stderr } = await runLogged(
    PYTHON,
    ['-m', 'millstream_client', 'count', '--brokers', kafka.brokers, '--topic', topic]
      .concat(['--from-beginning', '--idle-timeout', '3', '--join-timeout', '20'])
      .concat(['--ssl-ca', kafka.pki.caCert, '--sasl-mechanism', 'scram-sha-512'])
      .concat(['--sasl-username', 'reader', '--sasl-password-file', passwordFile]),
    {
      cwd: PROJECT_ROOT,
      timeout: 60_000,
      label: 'python-count-reader',
      // This worktree's client, whatever the virtualenv has installed.
      env: { ...process.env, PYTHONPATH: path.join(PROJECT_ROOT, 'clients/python/src') },
    },
  )
  return {
    summary: JSON.parse(stdout.trim().split('\n').pop() as string) as { count: number },
    stderr,
  }
}

describe('Kafka over SASL_SSL with ACLs per principal, against a real secured broker', () => {
  it('relays as millstream, lets reader read but not write, and refuses a wrong password', async () => {
    const topicPrefix = uniqueName('ms-sec-')
    await kafka.grant(topicPrefix)
    const mqttPrefix = uniqueName('sec')
    const databaseUrl = await createTestDatabase()
    const env = {
      DATABASE_URL: databaseUrl,
      // The test broker lets anyone in: the credentials are there to be kept out of the logs.
      MQTT_URL: services().mqttUrl.replace('mqtt://', `mqtt://svc:${MQTT_URL_PASSWORD}@`),
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-sec-'),
      API_KEYS: KEY,
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      KAFKA_SSL_CA_FILE: kafka.pki.caCert,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'millstream',
      KAFKA_SASL_PASSWORD_FILE: kafka.users.millstream.passwordFile,
    }
    const service = await ServiceProcess.start(env)
    try {
      const ingest = Array.from({ length: ORDERS }, (_, i) => ({
        topic: `${mqttPrefix}/machines/press-1/production`,
        payload: { timeOfProduction: '2024-03-01T09:00:00Z', order: i + 1, partId: 8 },
      }))
      const res = await fetch(`${service.url}/api/v1/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(ingest),
      })
      expect(res.status).toBe(202)
      await waitFor('the relay to publish every event', async () => {
        const { body } = await service.get<{ checks: { relayLag?: { detail: unknown } } }>(
          '/readyz',
        )
        const published = await (await fetch(`${service.url}/metrics`)).text()
        return body.checks.relayLag?.detail === 0 &&
          /^millstream_relay_published_events [1-9]/m.test(published)
          ? true
          : undefined
      })

      // The read-only principal reads every production event with the Python client.
      const read = await pythonCountAsReader(
        `${topicPrefix}.production`,
        kafka.users.reader.passwordFile,
      )
      expect(read.summary.count).toBe(ORDERS)
      expect(read.stderr).not.toContain(kafka.users.reader.password)

      // It may not write: the broker refuses its produce request for the topic.
      const producer = kafka.client(kafka.users.reader).producer()
      await producer.connect()
      try {
        await expect(
          producer.send({
            topic: `${topicPrefix}.production`,
            messages: [{ key: 'press-1', value: 'forged' }],
          }),
        ).rejects.toMatchObject({ type: 'TOPIC_AUTHORIZATION_FAILED' })
      } finally {
        await producer.disconnect()
      }

      // A wrong password does not get in.
      const intruder = kafka.client(kafka.users.millstream, 'not-the-password').admin()
      await expect(intruder.connect()).rejects.toMatchObject({
        name: 'KafkaJSSASLAuthenticationError',
      })

      // The service never logged its Kafka password, nor its MQTT URL's (which it logs).
      expect(service.logs()).not.toContain(kafka.users.millstream.password)
      expect(service.logs()).not.toContain(MQTT_URL_PASSWORD)
      expect(service.logs()).toContain('mqtt://svc:***@127.0.0.1')
    } finally {
      await service.kill('SIGTERM')
    }

    // The history reader (replay) reads the topics back over SASL_SSL as millstream too.
    await queryOnce(databaseUrl, 'UPDATE machine_state SET produced = 0')
    const replay = await runLogged(
      process.execPath,
      [CLI, 'replay', 'rebuild', '--from', 'kafka'],
      {
        env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'info' },
        timeout: 60_000,
        label: 'cli-replay',
      },
    )
    const [machine] = await queryOnce<{ produced: string }>(
      databaseUrl,
      "SELECT produced FROM machine_state WHERE machine_id = 'press-1'",
    )
    expect(Number(machine?.produced)).toBe(ORDERS)
    expect(replay.stdout + replay.stderr).not.toContain(kafka.users.millstream.password)
  })

  it('runs the cluster roles over SASL_SSL: the ingest bridge and the process consumer group', async () => {
    const topicPrefix = uniqueName('ms-secl-')
    await kafka.grant(topicPrefix)
    const mqttPrefix = uniqueName('secl')
    const databaseUrl = await createTestDatabase()
    const service = await ServiceProcess.start({
      ROLES: 'ingest,process',
      DATABASE_URL: databaseUrl,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: mqttPrefix,
      MQTT_CLIENT_ID: uniqueName('ms-secl-'),
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_TOPIC_PREFIX: topicPrefix,
      INGEST_PARTITIONS: '4',
      PROCESS_SESSION_TIMEOUT_MS: '6000',
      KAFKA_SSL_CA_FILE: kafka.pki.caCert,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'millstream',
      KAFKA_SASL_PASSWORD_FILE: kafka.users.millstream.passwordFile,
    })
    const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
    try {
      const messages = productionMessages(mqttPrefix, 5, 50)
      await publisher.publishAll(messages)
      // MQTT → ingest topic (bridge) → consumer group (process) → PostgreSQL, all as millstream.
      const produced = await waitFor('every part through the ingest topic', async () => {
        const [row] = await queryOnce<{ n: number }>(
          databaseUrl,
          'SELECT coalesce(sum(produced), 0)::int AS n FROM machine_state',
        )
        return row?.n === messages.length ? row.n : undefined
      })
      expect(produced).toBe(messages.length)
      expect(service.logs()).not.toContain(kafka.users.millstream.password)
    } finally {
      await publisher.close()
      await service.kill('SIGTERM')
    }
  })

  it('will not start with a missing password file or a wrong CA, and says every problem at once', async () => {
    const failure = await refusedStart({
      KAFKA_BROKERS: kafka.brokers,
      KAFKA_SSL_CA_FILE: kafka.pki.serverKey, // a key, not a certificate
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'millstream',
      KAFKA_SASL_PASSWORD_FILE: path.join(kafka.dir, 'no-such.password'),
    })
    expect(failure?.code).toBe(2)
    expect(failure?.stderr).toContain(
      `KAFKA_SSL_CA_FILE: ${kafka.pki.serverKey} holds no PEM certificate`,
    )
    expect(failure?.stderr).toMatch(/KAFKA_SASL_PASSWORD_FILE: .*no-such\.password: no such file/)
  })
})
