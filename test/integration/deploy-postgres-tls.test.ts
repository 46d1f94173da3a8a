import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { logChildOutput } from '../../harness/logged-run'
import { registerSecret } from '../../harness/run-secrets'
import { ServiceProcess } from '../../harness/service-process'
import { freePort, GiveUp, services, uniqueName, waitFor } from '../../harness/services'
import { PROJECT_ROOT } from '../../src/project-root'
import { makeTestPki, type TestPki } from '../support/certificates'
import { asPostgres, initCluster } from '../support/postgres-programs'

const DEPLOY = path.join(PROJECT_ROOT, 'deploy/postgres')

/** Runs a program as the postgres user and returns its stdout. */
function runAsPostgres(program: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('setpriv', asPostgres(program, args), {
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/**
 * deploy/'s PostgreSQL set-up run for real: its postgresql.conf and pg_hba.conf (only paths and
 * the port rewritten), its init script making the service's role, certificates made by
 * openssl. The service connects as deploy/'s DATABASE_URL does (verify-full with the CA);
 * anything in clear, the superuser over TCP and the role on another database are refused.
 */
describe("deploy/'s PostgreSQL: TLS only, the service's role only", () => {
  let dir: string
  let pki: TestPki
  let server: ChildProcess
  let port: number
  const password = `pw-${randomBytes(12).toString('hex')}`
  registerSecret('deploy PostgreSQL millstream password', password)

  const psql = (sql: string) =>
    runAsPostgres(
      'psql',
      ['-h', dir, '-p', String(port), '-U', 'postgres'].concat(['-d', 'postgres', '-tAc', sql]),
    )

  const client = (options: pg.ClientConfig) =>
    new pg.Client({ host: '127.0.0.1', port, connectionTimeoutMillis: 5000, ...options })
  const refusal = async (options: pg.ClientConfig) => {
    const c = client(options)
    try {
      await c.connect()
      return 'connected'
    } catch (err) {
      return (err as Error).message
    } finally {
      await c.end().catch(() => undefined)
    }
  }

  beforeAll(async () => {
    // Under /tmp: the postgres user can reach it (the project folder may be closed to it).
    dir = mkdtempSync(path.join(os.tmpdir(), 'millstream-deploy-pg-'))
    pki = makeTestPki(path.join(dir, 'pki'))
    const tls = path.join(dir, 'tls')
    mkdirSync(tls)
    copyFileSync(pki.serverCert, path.join(tls, 'postgres.pem'))
    copyFileSync(pki.serverKey, path.join(tls, 'postgres.key'))
    const conf = readFileSync(path.join(DEPLOY, 'postgresql.conf'), 'utf8')
      .replace("'/etc/postgresql/pg_hba.conf'", `'${path.join(dir, 'pg_hba.conf')}'`)
      .replaceAll('/var/lib/postgresql/tls/', `${tls}/`)
    writeFileSync(path.join(dir, 'postgresql.conf'), conf)
    copyFileSync(path.join(DEPLOY, 'pg_hba.conf'), path.join(dir, 'pg_hba.conf'))
    execFileSync('chown', ['-R', 'postgres:postgres', dir])
    execFileSync('chmod', ['0600', path.join(tls, 'postgres.key')])
    const data = path.join(dir, 'data')
    initCluster(data)
    port = await freePort()
    server = spawn(
      'setpriv',
      asPostgres('postgres', [])
        .concat(['-D', data, '-c', `config_file=${path.join(dir, 'postgresql.conf')}`])
        .concat(['-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'])
        .concat(['-c', 'fsync=off']),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    logChildOutput('deploy-postgres', server)
    await waitFor(
      'deploy’s PostgreSQL',
      () => {
        if (server.exitCode !== null) throw new GiveUp(`postgres exited with ${server.exitCode}`)
        try {
          return Promise.resolve(psql('SELECT 1').trim() === '1' ? true : undefined)
        } catch {
          return Promise.resolve(undefined)
        }
      },
      30_000,
    )
    // The image runs it on an empty volume, as postgres over the Unix socket.
    runAsPostgres('/bin/bash', [path.join(DEPLOY, 'init-millstream.sh')], {
      POSTGRES_USER: 'postgres',
      MILLSTREAM_PASSWORD: password,
      PGHOST: dir,
      PGPORT: String(port),
    })
  })
  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve))
      server.kill('SIGINT')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves the service, as deploy’s DATABASE_URL says, over TLS as a role that is no superuser', async () => {
    const service = await ServiceProcess.start({
      DATABASE_URL: `postgres://millstream:${password}@localhost:${port}/millstream?sslmode=verify-full&sslrootcert=${pki.caCert}`,
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: uniqueName('dpg'),
      MQTT_CLIENT_ID: uniqueName('ms-dpg-'),
    })
    try {
      const rows = psql(
        "SELECT a.usename, s.ssl, r.rolsuper FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) JOIN pg_roles r ON r.rolname = a.usename WHERE a.datname = 'millstream'",
      )
      const connections = rows.trim().split('\n')
      expect(connections.length).toBeGreaterThan(0)
      expect(new Set(connections)).toEqual(new Set(['millstream|t|f']))
      expect(service.logs()).not.toMatch(/as a superuser/)
    } finally {
      await service.kill('SIGTERM')
    }
  })

  it('refuses a connection in clear, the superuser over TCP, and the role on another database', async () => {
    const ssl = { ca: readFileSync(pki.caCert, 'utf8'), rejectUnauthorized: true }
    const role = { user: 'millstream', password, database: 'millstream' }
    expect(await refusal({ ...role, ssl })).toBe('connected')
    expect(await refusal({ ...role, ssl: false })).toMatch(/no pg_hba.conf entry .*no encryption/)
    expect(await refusal({ ...role, database: 'postgres', ssl })).toMatch(/no pg_hba.conf entry/)
    expect(await refusal({ user: 'postgres', password, database: 'postgres', ssl })).toMatch(
      /no pg_hba.conf entry/,
    )
  })
})
