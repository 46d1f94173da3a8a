import { spawn, type ChildProcess } from 'node:child_process'
import { projectPath } from '../src/project-root'
import { memory } from './process-memory'
import { freePort, GiveUp, waitFor } from './services'

const CLI = projectPath('dist', 'cli.js')

/** The service as a separate OS process, started from the built CLI like a user would. */
export class ServiceProcess {
  private child: ChildProcess | undefined
  private output: string[] = []
  readonly url: string

  private constructor(
    private readonly env: Record<string, string>,
    readonly httpPort: number,
    private readonly nodeArgs: string[],
  ) {
    this.url = `http://127.0.0.1:${httpPort}`
  }

  /**
   * Starts `millstream start` with `env` (plus a free HTTP port) and waits until it is ready.
   * `nodeArgs` go to node itself (e.g. `--cpu-prof`, which NODE_OPTIONS refuses).
   */
  static async start(
    env: Record<string, string>,
    nodeArgs: string[] = [],
  ): Promise<ServiceProcess> {
    const port = await freePort()
    const service = new ServiceProcess(
      { LOG_LEVEL: 'info', ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
      port,
      nodeArgs,
    )
    await service.restart()
    return service
  }

  /** (Re)starts the process with the same configuration. */
  async restart(): Promise<void> {
    // The flag the start script and the Dockerfile give (see src/cli.ts).
    const child = spawn(
      process.execPath,
      ['--max-semi-space-size=128', ...this.nodeArgs, CLI, 'start'],
      {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    this.child = child
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString())
      if (this.output.length > 2000) this.output.splice(0, 1000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
    await waitFor(
      'service readiness',
      async () => {
        if (child.exitCode !== null)
          throw new GiveUp(`service exited with ${child.exitCode}:\n${this.logs()}`)
        const res = await fetch(`${this.url}/healthz`)
        return res.ok ? true : undefined
      },
      60_000,
    )
  }

  /** Kills the process with `signal` and waits for it to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return child?.exitCode ?? null
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    )
    child.kill(signal)
    return exited
  }

  /** Sends `signal` (e.g. SIGSTOP, SIGCONT) without waiting for anything. */
  signal(signal: NodeJS.Signals): void {
    this.child?.kill(signal)
  }

  /** The OS process id of the running service. */
  get pid(): number {
    return this.child?.pid ?? 0
  }

  logs(): string {
    return this.output.join('').slice(-20_000)
  }

  /** Resident set size of the process, in bytes (Linux). */
  rssBytes(): number {
    return memory(this.pid).rssBytes
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null
  }

  async get<T>(pathname: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${pathname}`)
    return { status: res.status, body: (await res.json()) as T }
  }
}
