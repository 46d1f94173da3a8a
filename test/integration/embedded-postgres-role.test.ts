import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import pino from 'pino'
import { freePort } from '../../harness/services'
import { ensurePartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { startEmbeddedPostgres } from '../../src/main/embedded/postgres'
import {
  credentialsFile,
  LEGACY_SUPERUSER_PASSWORD,
} from '../../src/main/embedded/postgres-credentials'

const log = pino({ level: 'silent' })
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
    const fresh = await startEmbeddedPostgres(dir, port, log)
    const superuser = () => {
      const { superuser: password } = JSON.parse(readFileSync(credentialsFile(dir), 'utf8')) as {
        superuser: string
      }
      return { host: '127.0.0.1', port, user: 'postgres', password }
    }
    try {
      expect(new URL(fresh.url).username).toBe('millstream')
      expect(statSync(credentialsFile(dir)).mode & 0o777).toBe(0o600)
      const pool = new pg.Pool({ connectionString: fresh.url, max: 2 })
      try {
        await migrate(pool, log)
        const me = await pool.query<{ rolsuper: boolean }>(
          'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
        )
        expect(me.rows[0]?.rolsuper).toBe(false)
        expect((await pool.query(NOT_OWNED)).rows).toEqual([])
        // Make it a folder of the earlier version: everything the superuser's, its fixed password.
        await withClient({ ...superuser(), database: 'millstream' }, async (admin) => {
          await admin.query('REASSIGN OWNED BY millstream TO postgres')
          await admin.query('DROP OWNED BY millstream')
        })
      } finally {
        await pool.end()
      }
      await withClient({ ...superuser(), database: 'postgres' }, async (admin) => {
        await admin.query('DROP ROLE millstream')
        await admin.query(`ALTER ROLE postgres PASSWORD '${LEGACY_SUPERUSER_PASSWORD}'`)
      })
    } finally {
      await fresh.stop()
    }
    rmSync(credentialsFile(dir))

    const moved = await startEmbeddedPostgres(dir, port, log)
    const pool = new pg.Pool({ connectionString: moved.url, max: 2 })
    try {
      const me = await pool.query<{ rolsuper: boolean }>(
        'SELECT rolsuper FROM pg_roles WHERE rolname = current_user',
      )
      expect(me.rows[0]?.rolsuper).toBe(false)
      expect((await pool.query(NOT_OWNED)).rows).toEqual([])
      // What the service does at run time as the owner: create and attach partitions, migrate.
      expect(await ensurePartitions(pool, DAY, Date.now() + 30 * DAY)).not.toEqual([])
      expect(await migrate(pool, log)).toEqual([])
      expect(statSync(credentialsFile(dir)).mode & 0o777).toBe(0o600)
      // The fixed password is gone: the superuser now has this folder's own.
      await expect(
        withClient(
          { ...superuser(), password: LEGACY_SUPERUSER_PASSWORD, database: 'postgres' },
          () => Promise.resolve(),
        ),
      ).rejects.toMatchObject({ code: '28P01' })
      await withClient({ ...superuser(), database: 'postgres' }, () => Promise.resolve())
    } finally {
      await pool.end()
      await moved.stop()
    }
  }, 90_000)
})
