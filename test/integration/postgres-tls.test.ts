import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import { services, uniqueName, waitFor } from '../../harness/services'
import { makeTestPki } from '../support/certificates'
import { SecurePostgres } from '../support/secure-postgres'

describe('the service on a PostgreSQL that takes only TLS', () => {
  let postgres: SecurePostgres
  let otherCaDir: string
  const prefix = uniqueName('pgtls')
  const env = (overrides: Record<string, string>) => ({
    MQTT_URL: services().mqttUrl,
    MQTT_TOPIC_PREFIX: prefix,
    MQTT_CLIENT_ID: uniqueName('ms-pgtls-'),
    DATABASE_POOL_SIZE: '4',
    READ_POOL_SIZE: '2',
    ...overrides,
  })

  beforeAll(async () => {
    postgres = await SecurePostgres.start()
    otherCaDir = mkdtempSync(path.join(os.tmpdir(), 'millstream-other-ca-'))
  }, 60_000)

  afterAll(async () => {
    await postgres?.stop()
    rmSync(otherCaDir, { recursive: true, force: true })
  })

  it('commits and relays over sslmode=verify-full with the CA, every connection encrypted, as a role that is no superuser', async () => {
    const service = await ServiceProcess.start(
      env({
        DATABASE_URL: `${postgres.url()}?sslmode=verify-full`,
        PGSSLROOTCERT: postgres.pki.caCert,
        // The relay thread makes its own pool: it must take the same TLS settings.
        KAFKA_BROKERS: services().kafkaBrokers,
        KAFKA_TOPIC_PREFIX: uniqueName('ms-pgtls-'),
      }),
    )
    try {
      const messages = productionMessages(prefix, 3, 30)
      const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
      await publisher.publishAll(messages)
      await publisher.close()
      const committed = await waitFor('30 events committed', () =>
        postgres.asSuperuser(async (admin) => {
          const { rows } = await admin.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM event_log WHERE type = 'PartProduced'",
          )
          return rows[0] && rows[0].n >= 30 ? rows[0].n : undefined
        }, 'millstream'),
      )
      expect(committed).toBe(30)
      await waitFor('the relay past every event', () =>
        postgres.asSuperuser(async (admin) => {
          const { rows } = await admin.query<{ behind: number }>(
            `SELECT count(*)::int AS behind FROM event_log
              WHERE position > coalesce((SELECT max(position) FROM relay_offsets), 0)`,
          )
          return rows[0]?.behind === 0 ? true : undefined
        }, 'millstream'),
      )

      const connections = await postgres.asSuperuser((admin) =>
        admin.query<{ ssl: boolean; version: string | null; rolsuper: boolean }>(
          `SELECT s.ssl, s.version, r.rolsuper
             FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) JOIN pg_roles r ON r.rolname = a.usename
            WHERE a.datname = 'millstream'`,
        ),
      )
      expect(connections.rows.length).toBeGreaterThan(0)
      expect(connections.rows.filter((c) => !c.ssl)).toEqual([])
      expect(connections.rows.every((c) => /^TLSv1\.[23]$/.test(c.version ?? ''))).toBe(true)
      expect(connections.rows.every((c) => !c.rolsuper)).toBe(true)
      expect(service.logs()).not.toMatch(/as a superuser/)
      expect(service.logs()).not.toContain(postgres.password)
    } finally {
      await service.kill('SIGTERM')
    }
  }, 60_000)

  it('refuses to start with a CA that did not sign the server certificate, or a host name the certificate does not name', async () => {
    const other = makeTestPki(otherCaDir)
    await expect(
      ServiceProcess.start(
        env({
          DATABASE_URL: `${postgres.url()}?sslmode=verify-full&sslrootcert=${other.caCert}`,
        }),
      ),
    ).rejects.toThrow(/certificate was refused \(UNABLE_TO_VERIFY_LEAF_SIGNATURE/)
    await expect(
      ServiceProcess.start(
        env({
          DATABASE_URL: `${postgres.url('127.0.0.2')}?sslmode=verify-full`,
          PGSSLROOTCERT: postgres.pki.caCert,
        }),
      ),
    ).rejects.toThrow(/certificate was refused \(ERR_TLS_CERT_ALTNAME_INVALID/)
  }, 60_000)

  it('takes no connection in clear', async () => {
    const clear = new pg.Client({ connectionString: postgres.url(), ssl: false })
    await expect(clear.connect()).rejects.toThrow(/no pg_hba\.conf entry.*no encryption/)
    await clear.end().catch(() => undefined)
  })
})
