import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'

/** What the limit process is started with (as JSON in argv[2]). */
export type LimitSettings = {
  mqttUrl: string
  databaseUrl: string
  kafkaBrokers: string
  topicPrefix: string
  kafkaPrefix: string
  clientId: string
}

/** What the limit process reports to the bench, every 100 ms. */
export type LimitCounts = {
  /** Messages whose row is committed (new or already there) and PUBACK sent. */
  committed: number
  /** Rows Kafka acknowledged. */
  relayed: number
  /** Not JSON: acknowledged and dropped. */
  invalid: number
  /** Group commits that failed for good (their messages stay unacknowledged). */
  failed: number
  /** Group-commit transactions so far, their rows and their seconds. */
  commits: number
  commitWrites: number
  commitSeconds: number
}

export function noCounts(): LimitCounts {
  return {
    committed: 0,
    relayed: 0,
    invalid: 0,
    failed: 0,
    commits: 0,
    commitWrites: 0,
    commitSeconds: 0,
  }
}

/** The limit process (limit-pipeline-main.ts) as a child, and its latest counts. */
export class LimitProcess {
  counts = noCounts()

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (counts: LimitCounts) => {
      this.counts = counts
    })
  }

  /** Forks it with the service's node flag and waits until it is subscribed (its first report). */
  static async start(settings: LimitSettings): Promise<LimitProcess> {
    const child = fork(path.join(__dirname, 'limit-pipeline-main.js'), [JSON.stringify(settings)], {
      stdio: 'inherit',
      // As harness/service-process.ts starts millstream.
      execArgv: ['--max-semi-space-size=128'],
    })
    const limit = new LimitProcess(child)
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', (code) => reject(new Error(`limit pipeline exited with ${code}`)))
    })
    return limit
  }

  get pid(): number {
    return this.child.pid ?? 0
  }

  /** Lets it finish what it holds and exit (killed after 10 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    if (this.child.connected) this.child.disconnect()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}
