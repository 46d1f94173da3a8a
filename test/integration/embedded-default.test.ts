import { execFile } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { spawn } from 'node:child_process'
import { GiveUp, waitFor } from '../../harness/services'

const CLI = path.resolve(__dirname, '../../dist/cli.js')
const DEFAULT_PORTS = { http: 8080, mqtt: 1883, postgres: 54329 }

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

describe('with no environment at all', () => {
  it('serves GET /api/v1/machines from embedded MQTT and PostgreSQL, and the simulator’s machines appear', async () => {
    for (const [name, port] of Object.entries(DEFAULT_PORTS)) {
      if (await listening(port))
        throw new Error(`default ${name} port ${port} is taken; this test needs it free`)
    }
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'millstream-default-'))
    // Like a project folder: readable by the postgres user the embedded server runs as under root.
    chmodSync(cwd, 0o755)
    const bareEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' }
    const service = spawn(process.execPath, [CLI, 'start'], {
      cwd,
      env: bareEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let logs = ''
    service.stdout.on('data', (c: Buffer) => (logs += c.toString()))
    service.stderr.on('data', (c: Buffer) => (logs += c.toString()))
    try {
      await waitFor(
        'the service on port 8080',
        async () => {
          if (service.exitCode !== null) throw new GiveUp(`exited ${service.exitCode}: ${logs}`)
          const res = await fetch('http://127.0.0.1:8080/api/v1/machines')
          return res.ok ? true : undefined
        },
        120_000,
      )

      await promisify(execFile)(
        process.execPath,
        [CLI, 'simulate', '--machines', '4', '--rate', '5', '--duration', '2'],
        {
          cwd,
          env: bareEnv,
        },
      )
      const machines = await waitFor('the simulated machines', async () => {
        const body = (await (await fetch('http://127.0.0.1:8080/api/v1/machines')).json()) as {
          items: { machineId: string; produced: number }[]
        }
        return body.items.length === 4 && body.items.every((m) => m.produced > 0)
          ? body.items
          : undefined
      })
      expect(machines.map((m) => m.machineId).sort()).toEqual(['1', '2', '3', '4'])
    } finally {
      const exited = new Promise((resolve) => service.once('exit', resolve))
      service.kill('SIGTERM')
      await exited
    }
    expect(service.exitCode).toBe(0)
    rmSync(cwd, { recursive: true, force: true })
  })
})
