import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request as httpsRequest } from 'node:https'
import { projectPath } from '../src/project-root'
import { memory } from './process-memory'
import { openRunLog } from './run-logs'
import { registerDataDirSecrets, registerEnvSecrets } from './service-secrets'
import { freePort, GiveUp, waitFor } from './services'

const CLI = projectPath('dist', 'cli.js')

/** How the harness reaches the service. */
export type ServiceAccess = {
  /**
   * The CA file the service's certificate is signed by: the service serves HTTPS
   * (`TLS_CERT_FILE`, `TLS_KEY_FILE` in its env), and the harness trusts this CA only.
   */
  httpsCa?: string
  /** The client certificate and key the harness shows (`TLS_CLIENT_CA_FILE` asks for one). */
  clientCert?: { cert: string; key: string }
}

/** An answer read whole: status, headers, body text. */
export type ServiceResponse = { status: number; headers: Record<string, string>; text: string }

/** The service as a separate OS process, started from the built CLI like a user would. */
export class ServiceProcess {
  private child: ChildProcess | undefined
  private output: string[] = []
  readonly url: string

  private readonly ca: string | undefined
  private readonly clientCert: { cert: string; key: string } | undefined

  private constructor(
    private readonly env: Record<string, string>,
    readonly httpPort: number,
    private readonly nodeArgs: string[],
    access: ServiceAccess,
  ) {
    this.ca = access.httpsCa === undefined ? undefined : readFileSync(access.httpsCa, 'utf8')
    this.clientCert = access.clientCert && {
      cert: readFileSync(access.clientCert.cert, 'utf8'),
      key: readFileSync(access.clientCert.key, 'utf8'),
    }
    registerEnvSecrets(env)
    this.url = `${this.ca === undefined ? 'http' : 'https'}://127.0.0.1:${httpPort}`
  }

  /**
   * Starts `millstream start` with `env` (plus a free HTTP port) and waits until it is ready.
   * `nodeArgs` go to node itself (e.g. `--cpu-prof`, which NODE_OPTIONS refuses); `access`
   * says how to reach it (over HTTPS, trusting a CA).
   */
  static async start(
    env: Record<string, string>,
    nodeArgs: string[] = [],
    access: ServiceAccess = {},
  ): Promise<ServiceProcess> {
    const port = await freePort()
    const service = new ServiceProcess(
      { LOG_LEVEL: 'info', ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1' },
      port,
      nodeArgs,
      access,
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
    // Every line also lands in the run's logs, which the test run scans for secrets.
    const file = openRunLog('service')
    child.once('close', () => file.end())
    const keep = (chunk: Buffer) => {
      file.write(chunk)
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
        const res = await this.request('/healthz')
        return res.status === 200 ? true : undefined
      },
      60_000,
    )
    // The embedded service makes its passwords at first start: known only once it is up.
    registerDataDirSecrets(this.env.DATA_DIR ?? '.millstream')
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

  /** The value of an unlabelled sample on the service's /metrics; undefined when absent. */
  async metric(name: string): Promise<number | undefined> {
    const { text } = await this.request('/metrics')
    const sample = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)
    return sample ? Number(sample[1]) : undefined
  }

  /** Resolves once the service holds no MQTT message read and not yet acknowledged. */
  async drained(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      'no message in flight',
      async () => ((await this.metric('millstream_messages_in_flight')) === 0 ? true : undefined),
      timeoutMs,
      100,
    )
  }

  running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null
  }

  async get<T>(pathname: string): Promise<{ status: number; body: T }> {
    const res = await this.request(pathname)
    return { status: res.status, body: JSON.parse(res.text) as T }
  }

  /** A GET of `pathname`, over HTTPS trusting only the given CA when the service serves it. */
  async request(pathname: string, timeoutMs = 10_000): Promise<ServiceResponse> {
    const ca = this.ca
    if (ca === undefined) {
      const res = await fetch(`${this.url}${pathname}`, { signal: AbortSignal.timeout(timeoutMs) })
      return {
        status: res.status,
        headers: Object.fromEntries(res.headers),
        text: await res.text(),
      }
    }
    return new Promise<ServiceResponse>((resolve, reject) => {
      const options = { ca, timeout: timeoutMs, ...this.clientCert }
      const req = httpsRequest(`${this.url}${pathname}`, options, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: Object.fromEntries(
              Object.entries(res.headers).map(([k, v]) => [
                k,
                Array.isArray(v) ? v.join(', ') : String(v),
              ]),
            ),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      })
      req.on('timeout', () =>
        req.destroy(new Error(`GET ${pathname}: no answer in ${timeoutMs} ms`)),
      )
      req.on('error', reject)
      req.end()
    })
  }
}
