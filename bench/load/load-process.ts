import { fork, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { LoadCommand, LoadReport } from './protocol'

type Start = Omit<Extract<LoadCommand, { type: 'start' }>, 'type'>

/** The load generator as a child process, and its latest progress. */
export class LoadProcess {
  latest: LoadReport = { type: 'progress', published: 0, acked: 0, failed: 0 }

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (report: LoadReport) => {
      this.latest = report
    })
  }

  /** The bench's load: `mix` under topic prefix `runId`, 2 connections, 2,000 in flight each. */
  static forBench(mqttUrl: string, runId: string, mix: Start['mix']): Promise<LoadProcess> {
    return LoadProcess.start({
      mqttUrl,
      topicPrefix: runId,
      runId,
      mix,
      connections: 2,
      maxInFlight: 2000,
    })
  }

  /** Forks the publisher and waits until its MQTT connections are up. */
  static start(options: Start): Promise<LoadProcess> {
    return LoadProcess.fork(path.join(__dirname, 'publisher-main.js'), {
      type: 'start',
      ...options,
    })
  }

  /** Forks `script`, a publisher that speaks the load protocol, and waits until it is ready. */
  static async fork(
    script: string,
    start: Extract<LoadCommand, { type: 'start' | 'start-sparkplug' }>,
  ): Promise<LoadProcess> {
    const child = fork(script, [], { stdio: 'inherit' })
    const load = new LoadProcess(child)
    const ready = new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve())
      child.once('exit', (code) => reject(new Error(`load process exited with ${code}`)))
    })
    load.send(start)
    await ready
    return load
  }

  get pid(): number {
    return this.child.pid ?? 0
  }

  /** Closed loop: let it publish up to `upTo` messages in all. */
  allow(upTo: number): void {
    this.send({ type: 'allow', upTo })
  }

  /** Open loop: a fixed rate from now on. */
  rate(perSecond: number): void {
    this.send({ type: 'rate', perSecond })
  }

  /** Stops publishing, waits for outstanding PUBACKs and the process to exit; the final counts. */
  async stop(): Promise<LoadReport> {
    if (this.child.exitCode !== null) return this.latest
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.send({ type: 'stop' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000)
    await exited
    clearTimeout(timer)
    return this.latest
  }

  private send(command: LoadCommand): void {
    this.child.send(command)
  }
}
