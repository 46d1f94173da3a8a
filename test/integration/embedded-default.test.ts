import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import { logChildOutput } from '../../harness/logged-run'
import { registerDataDirSecrets } from '../../harness/service-secrets'
import { GiveUp, waitFor } from '../../harness/services'

const CLI = path.resolve(__dirname, '../../dist/cli.js')
const DEFAULT_PORTS = { http: 8080, mqtt: 1883, postgres: 54329 }

type Machine = {
  machineId: string
  state: string
  produced: number
  oee: { availability: number | null; performance: number | null; quality: number | null }
}

/** A machine the service has a state and every OEE factor for. */
const live = (m: Machine) =>
  m.state !== 'unknown' &&
  m.produced > 0 &&
  m.oee.availability !== null &&
  m.oee.performance !== null &&
  m.oee.quality !== null

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
  it('serves GET /api/v1/machines from embedded MQTT and PostgreSQL, where every simulated machine has a state and every OEE factor within a minute', async () => {
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
    let simulator: ChildProcess | undefined
    let simLogs = ''
    logChildOutput('embedded-default-service', service)
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

      // The simulator with its defaults: 20 machines at real time, until stopped; round the
      // clock, or a break at the time of the run would leave the machines without parts.
      const sim = spawn(process.execPath, [CLI, 'simulate', '--round-the-clock'], {
        cwd,
        env: bareEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      simulator = sim
      registerDataDirSecrets(path.join(cwd, '.millstream'))
      logChildOutput('embedded-default-simulator', sim)
      sim.stdout.on('data', (c: Buffer) => (simLogs += c.toString()))
      sim.stderr.on('data', (c: Buffer) => (simLogs += c.toString()))
      const started = Date.now()
      const machines = await waitFor(
        'every simulated machine with a state and every OEE factor',
        async () => {
          if (sim.exitCode !== null)
            throw new GiveUp(`simulator exited ${sim.exitCode}: ${simLogs}`)
          const body = (await (await fetch('http://127.0.0.1:8080/api/v1/machines')).json()) as {
            items: Machine[]
          }
          return body.items.length === 20 && body.items.every(live) ? body.items : undefined
        },
        60_000,
      )
      expect(Date.now() - started).toBeLessThan(60_000)
      expect(machines.map((m) => Number(m.machineId)).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      )
      // Ctrl-C stops it cleanly.
      const simExited = new Promise((resolve) => sim.once('exit', resolve))
      sim.kill('SIGINT')
      await simExited
      expect(sim.exitCode).toBe(0)
    } finally {
      if (simulator?.exitCode === null) simulator.kill('SIGKILL')
      const exited = new Promise((resolve) => service.once('exit', resolve))
      service.kill('SIGTERM')
      await exited
    }
    expect(service.exitCode).toBe(0)
    rmSync(cwd, { recursive: true, force: true })
  })
})
