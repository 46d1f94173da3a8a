import { spawn, type ChildProcess } from 'node:child_process'
import { projectPath } from '../src/project-root'
import { logChildOutput } from './logged-run'
import { registerEnvSecrets } from './service-secrets'

const CLI = projectPath('dist', 'cli.js')

/** `millstream simulate` as its own process, like a user runs it beside the service. */
export class SimulatorProcess {
  private output = ''

  private constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-20_000))
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
  }

  /** Starts the simulator with `args` (e.g. `--machines 12`) against `mqttUrl` under `topicPrefix`. */
  static start(mqttUrl: string, topicPrefix: string, args: string[]): SimulatorProcess {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      MQTT_URL: mqttUrl,
      MQTT_TOPIC_PREFIX: topicPrefix,
      LOG_LEVEL: 'warn',
    }
    registerEnvSecrets(env)
    const child = spawn(process.execPath, [CLI, 'simulate', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    logChildOutput('simulator', child)
    return new SimulatorProcess(child)
  }

  /** The exit code once it has stopped by itself, else null. */
  get exitCode(): number | null {
    return this.child.exitCode
  }

  logs(): string {
    return this.output
  }

  /** Stops it as Ctrl-C does (or with `signal`) and waits for it to exit. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill(signal)
    await exited
  }
}
