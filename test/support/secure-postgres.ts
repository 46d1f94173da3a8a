import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { logChildOutput } from '../../harness/logged-run'
import { registerSecret } from '../../harness/run-secrets'
import { freePort, GiveUp, waitFor } from '../../harness/services'
import { makeTestPki, type TestPki } from './certificates'
import { asPostgres, initCluster } from './postgres-programs'

/**
 * A PostgreSQL 15 of a test's own that takes only TLS (`hostssl` lines alone in pg_hba.conf,
 * scram-sha-256), with a server certificate for 127.0.0.1 and localhost signed by a CA made
 * with openssl, and a role `millstream` (no superuser) owning database `millstream`. The
 * superuser logs in over the Unix socket only.
 */
export class SecurePostgres {
  private constructor(
    private readonly server: ChildProcess,
    readonly dir: string,
    readonly port: number,
    readonly pki: TestPki,
    readonly password: string,
  ) {}

  static async start(): Promise<SecurePostgres> {
    // Under /tmp: the postgres user can reach it (the project folder may be closed to it).
    const dir = mkdtempSync(path.join(os.tmpdir(), 'millstream-pg-tls-'))
    const pki = makeTestPki(path.join(dir, 'tls'))
    const data = path.join(dir, 'data')
    execFileSync('chown', ['-R', 'postgres:postgres', dir])
    initCluster(data)
    for (const [from, to] of [
      [pki.serverCert, 'server.crt'],
      [pki.serverKey, 'server.key'],
    ] as const) {
      copyFileSync(from, path.join(data, to))
    }
    writeFileSync(
      path.join(data, 'pg_hba.conf'),
      'local all postgres trust\nhostssl all all 127.0.0.0/8 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n',
    )
    execFileSync('chown', ['-R', 'postgres:postgres', data])
    execFileSync('chmod', ['0600', path.join(data, 'server.key')])
    const port = await freePort()
    const server = spawn(
      'setpriv',
      asPostgres('postgres', [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1,127.0.0.2',
        '-c',
        'ssl=on',
        '-c',
        'fsync=off',
        '-c',
        'max_connections=50',
        '-c',
        'shared_buffers=16MB',
      ]),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    logChildOutput('secure-postgres', server)
    const password = `pw-${randomBytes(12).toString('hex')}`
    registerSecret('TLS-only PostgreSQL millstream password', password)
    const instance = new SecurePostgres(server, dir, port, pki, password)
    await waitFor(
      'the TLS-only PostgreSQL',
      async () => {
        if (server.exitCode !== null) throw new GiveUp(`postgres exited with ${server.exitCode}`)
        return instance.asSuperuser(() => Promise.resolve(true)).catch(() => undefined)
      },
      30_000,
    )
    await instance.asSuperuser(async (admin) => {
      await admin.query(
        `CREATE ROLE millstream LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${admin.escapeLiteral(password)}`,
      )
      await admin.query('CREATE DATABASE millstream OWNER millstream')
    })
    return instance
  }

  /** The service role's URL, without TLS parameters (the caller adds its own). */
  url(host = '127.0.0.1'): string {
    return `postgres://millstream:${this.password}@${host}:${this.port}/millstream`
  }

  /** Runs `work` as the superuser, over the Unix socket, on `database`. */
  async asSuperuser<T>(work: (admin: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const admin = new pg.Client({ host: this.dir, port: this.port, user: 'postgres', database })
    await admin.connect()
    try {
      return await work(admin)
    } finally {
      await admin.end()
    }
  }

  async stop(): Promise<void> {
    if (this.server.exitCode === null && this.server.signalCode === null) {
      const exited = new Promise((resolve) => this.server.once('exit', resolve))
      this.server.kill('SIGINT') // fast shutdown
      await exited
    }
    rmSync(this.dir, { recursive: true, force: true })
  }
}
