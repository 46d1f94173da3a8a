import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { keepLogs } from '../../harness/run-logs'
import { freePort, waitFor } from '../../harness/services'

/**
 * A Mosquitto of a test's own, for settings the shared test broker must not have (a small
 * `max_packet_size`) and for pausing it without disturbing other tests.
 */
export class MosquittoProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(settings: Record<string, string | number> = {}): Promise<MosquittoProcess> {
    const port = await freePort()
    const dir = mkdtempSync(path.join(tmpdir(), 'ms-mosquitto-'))
    const conf = {
      user: 'root',
      listener: `${port} 127.0.0.1`,
      allow_anonymous: 'true',
      max_queued_messages: 1_000_000,
      max_inflight_messages: 10_000,
      log_dest: `file ${path.join(dir, 'mosquitto.log')}`,
      ...settings,
    }
    const file = path.join(dir, 'mosquitto.conf')
    writeFileSync(
      file,
      Object.entries(conf)
        .map(([k, v]) => `${k} ${v}\n`)
        .join(''),
    )
    const child = spawn('mosquitto', ['-c', file], { stdio: 'ignore' })
    const broker = new MosquittoProcess(child, dir, port)
    await waitFor('mosquitto to listen', () => broker.accepts(), 10_000, 50)
    return broker
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`
  }

  /** SIGSTOP: connections stay open and nothing answers. */
  pause(): void {
    this.child.kill('SIGSTOP')
  }

  resume(): void {
    this.child.kill('SIGCONT')
  }

  async stop(): Promise<void> {
    this.resume()
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve))
      this.child.kill('SIGTERM')
      await exited
    }
    keepLogs('mosquitto', [path.join(this.dir, 'mosquitto.log')])
    rmSync(this.dir, { recursive: true, force: true })
  }

  private accepts(): Promise<true | undefined> {
    return new Promise((resolve) => {
      const socket = connect(this.port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(undefined))
    })
  }
}
