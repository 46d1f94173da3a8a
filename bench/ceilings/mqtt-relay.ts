import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import mqtt, { type MqttClient } from 'mqtt'
import type { BenchBudget, Ceiling } from '../lib/types'
import { rateOf, roundSeconds, warmUpSeconds } from './timed-loop'

/** What the measurement tells its publisher process. */
export type PublisherCommand =
  | {
      kind: 'start'
      url: string
      topicRoot: string
      machines: number
      payloadBytes: number
      /** Most publishes awaiting their PUBACK at once. */
      window: number
    }
  | { kind: 'stop' }

/** What the publisher process reports back. */
export type PublisherReport =
  | { kind: 'ready' }
  | { kind: 'stopped'; published: number; acknowledged: number }
  | { kind: 'failed'; message: string }

const MACHINES = 1000
const PAYLOAD_BYTES = 250
const WINDOW = 2000
const REPORT_TIMEOUT_MS = 15_000

/**
 * Mosquitto's QoS 1 relay alone: a publisher in its own process (as machines are) publishes to
 * `MACHINES` topics and one subscriber with a QoS 1 wildcard subscription counts what arrives.
 */
export async function measureMqttRelay(mqttUrl: string, budget: BenchBudget): Promise<Ceiling> {
  const run = randomBytes(4).toString('hex')
  const topicRoot = `bench-${run}`
  let received = 0
  let subscriber: MqttClient | undefined
  let publisher: ChildProcess | undefined
  // Ends the measurement windows early when the publisher fails.
  const windows = new AbortController()
  try {
    subscriber = await mqtt.connectAsync(mqttUrl, {
      clientId: `bench-sub-${run}`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
    })
    subscriber.on('message', () => {
      received += 1
    })
    await subscriber.subscribeAsync(`${topicRoot}/machines/+/production`, { qos: 1 })

    publisher = fork(path.join(__dirname, 'mqtt-relay-publisher.js'))
    const ready = reportOf(publisher, 'ready')
    publisher.send({
      kind: 'start',
      url: mqttUrl,
      topicRoot,
      machines: MACHINES,
      payloadBytes: PAYLOAD_BYTES,
      window: WINDOW,
    } satisfies PublisherCommand)
    await within(ready, REPORT_TIMEOUT_MS, 'publisher ready')
    // Listening from now on makes a publisher failure end the windows early.
    const stopped = reportOf(publisher, 'stopped')
    stopped.catch(() => undefined)

    const pause = (seconds: number): Promise<unknown> =>
      Promise.race([sleep(seconds * 1000, undefined, { signal: windows.signal }), stopped])
    await pause(warmUpSeconds(budget))
    const from = { count: received, at: performance.now() }
    await pause(budget.ceilingSeconds)
    const to = { count: received, at: performance.now() }

    publisher.send({ kind: 'stop' } satisfies PublisherCommand)
    const counts = await within(stopped, REPORT_TIMEOUT_MS, 'publisher stopped')
    const seconds = (to.at - from.at) / 1000
    return {
      name: 'Mosquitto QoS 1 publish → subscribe',
      unit: 'messages/s',
      perSecond: rateOf({ units: to.count - from.count, seconds }),
      detail: {
        protocol: 'MQTT 3.1.1',
        qos: 1,
        topics: MACHINES,
        payloadBytes: PAYLOAD_BYTES,
        inFlightWindow: WINDOW,
        received: to.count - from.count,
        seconds: roundSeconds(seconds),
        publishedInRun: counts.published,
        notYetDeliveredAtStop: counts.published - received,
      },
    }
  } finally {
    windows.abort()
    await Promise.allSettled([stopProcess(publisher), subscriber?.endAsync(true)])
  }
}

/** Resolves on the child's first report of `kind`; rejects if it fails or exits first. */
function reportOf<K extends PublisherReport['kind']>(
  child: ChildProcess,
  kind: K,
): Promise<Extract<PublisherReport, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      const report = message as PublisherReport
      if (report.kind === kind)
        settle(() => resolve(report as Extract<PublisherReport, { kind: K }>))
      else if (report.kind === 'failed')
        settle(() => reject(new Error(`MQTT publisher failed: ${report.message}`)))
    }
    const onExit = (code: number | null): void =>
      settle(() => reject(new Error(`MQTT publisher exited (code ${code}) before '${kind}'`)))
    const settle = (then: () => void): void => {
      child.off('message', onMessage)
      child.off('exit', onExit)
      then()
    }
    child.on('message', onMessage)
    child.on('exit', onExit)
  })
}

/** `promise`, or a rejection naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timer = new AbortController()
  const timeout = sleep(ms, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`no ${what} within ${ms} ms`)
  })
  timeout.catch(() => undefined)
  try {
    return await Promise.race([promise, timeout])
  } finally {
    timer.abort()
  }
}

/** Lets the publisher exit on its own once disconnected; kills it if it does not. */
async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  if (child.connected) child.disconnect()
  await within(exited, 5000, 'publisher exit').catch(async () => {
    child.kill('SIGKILL')
    await exited
  })
}
