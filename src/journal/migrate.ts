import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Pool } from 'pg'
import type { Logger } from '../logger.js'
import { projectPath } from '../project-root.js'

/** Where the forward-only SQL migrations live (`db/migrations/NNNN-what.sql`). */
export const MIGRATIONS_DIR = projectPath('db', 'migrations')

/**
 * Applies every migration not yet recorded, in file-name order, each in its own transaction.
 * An advisory lock makes concurrent starts (several instances) wait instead of racing.
 */
export async function migrate(pool: Pool, log: Logger, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}-.+\.sql$/.test(f)).sort()
  const client = await pool.connect()
  const applied: string[] = []
  try {
    await client.query('SELECT pg_advisory_lock(7243001)')
    await client.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map(
        (r) => r.name,
      ),
    )
    for (const file of files.filter((f) => !done.has(f))) {
      const sql = await readFile(path.join(dir, file), 'utf8')
      await client.query('BEGIN')
      try {
        await client.query(sql)
        await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file])
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err })
      }
      log.info({ migration: file }, 'migration applied')
      applied.push(file)
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(7243001)').catch(() => undefined)
    client.release()
  }
  return applied
}
