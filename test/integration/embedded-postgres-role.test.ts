import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { ServiceProcess } from '../../harness/service-process'
import { freePort, services, uniqueName } from '../../harness/services'
import { ensurePartitions } from '../../src/journal/log-partitions'
import {
  credentialsFile,
  LEGACY_SUPERUSER_PASSWORD,
} from '../../src/main/embedded/postgres-credentials'

const DAY = 86_400_000

/** Objects of the service's database owned by anyone but the service role. */
const NOT_OWNED = `
  SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> 'millstream'
  UNION ALL
  SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> 'millstream'
  UNION ALL
  SELECT datname FROM pg_database
   WHERE datname = 'millstream' AND pg_get_userbyid(datdba) <> 'millstream'`

async function withClient<T>(
  config: pg.ClientConfig,
  use: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client(config)
  await client.connect()
  try {
    return await use(client)
  } finally {
    await client.end()
  }
}

describe('the embedded PostgreSQL', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'millstream-pg-role-'))
  // Like a project folder: the postgres user the embedded server runs as under root reaches it.
  chmodSync(dir, 0o755)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('serves the service as a role that is no superuser and owns its database, and moves a data folder of the fixed superuser password forward at start', async () => {
    const port = await freePort()
    const stored = () =>
      JSON.parse(readFileSync(credentialsFile(dir), 'utf8')) as {
        superuser: string
        service: string
      }
    const as = (user: 'postgres' | 'millstream', password: string, database = 'millstream') => ({
      host: '127.0.0.1',
      port,
      user,
      password,
      database,
    })
    // The service migrates its schema at start, as its own role, and makes partitions.
    const service = await ServiceProcess.start({
      DATA_DIR: dir,
      EMBEDDED_PG_PORT: String(port),
      MQTT_URL: services().mqttUrl,
      MQTT_CLIENT_ID: uniqueName('ms-pgrole-'),
      MQTT_TOPIC_PREFIX: uniqueName('pgrole'),
    })
    try {
      expect(statSync(credentialsFile(dir)).mode & 0o777).toBe(0o600)
      await withClient(as('millstream', stored().service), async (client) => {
        const me = await client.query<{ rolsuper: boolean }>(
          'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
        )
        expect(me.rows[0]?.rolsuper).toBe(false)
        expect((await client.query(NOT_OWNED)).rows).toEqual([])
      })
      expect(service.logs()).not.toContain(stored().service)
      expect(service.logs()).not.toMatch(/as a superuser/)
      // Make it a folder of the earlier version: everything the superuser's, its fixed password.
      await withClient(as('postgres', stored().superuser), async (admin) => {
        await admin.query('REASSIGN OWNED BY millstream TO postgres')
        await admin.query('DROP OWNED BY millstream')
      })
      await withClient(as('postgres', stored().superuser, 'postgres'), async (admin) => {
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'millstream'`,
        )
        await admin.query('DROP ROLE millstream')
        await admin.query(`ALTER ROLE postgres PASSWORD '${LEGACY_SUPERUSER_PASSWORD}'`)
      })
    } finally {
      await service.kill('SIGKILL')
    }
    const before = stored()
    rmSync(credentialsFile(dir))

    await service.restart()
    try {
      const after = stored()
      expect(after.service).not.toBe(before.service)
      const pool = new pg.Pool({ ...as('millstream', after.service), max: 2 })
      try {
        const me = await pool.query<{ rolsuper: boolean }>(
          'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
        )
        expect(me.rows[0]?.rolsuper).toBe(false)
        expect((await pool.query(NOT_OWNED)).rows).toEqual([])
        // What the service does as it runs, as the owner: create and attach partitions.
        expect(await ensurePartitions(pool, DAY, Date.now() + 40 * DAY)).not.toEqual([])
      } finally {
        await pool.end()
      }
      expect(service.logs()).toMatch(/moved to its service role/)
      // The fixed password is gone: the superuser now has this folder's own.
      await expect(
        withClient(as('postgres', LEGACY_SUPERUSER_PASSWORD, 'postgres'), () => Promise.resolve()),
      ).rejects.toMatchObject({ code: '28P01' })
      await withClient(as('postgres', after.superuser, 'postgres'), () => Promise.resolve())
    } finally {
      await service.kill('SIGTERM')
    }
  }, 120_000)
})
