import { fork } from 'node:child_process'
import path from 'node:path'
import { createTestDatabase, uniqueName } from '../../harness/services'
import { drain, measureThroughput, type ThroughputWindow } from '../lib/closed-loop'
import type { BenchServices } from '../lib/types'
import { LoadProcess } from '../load/load-process'
import { dataPointsPerMessage, type LoadMix } from '../load/messages'

export type NaiveResult = ThroughputWindow & { ordered: boolean; dataPointsPerSecond: number }

/**
 * The naive baseline under the same load, closed loop, on the same services: messages/s that
 * are inserted in PostgreSQL and acknowledged by Kafka. The in-order variant is the baseline;
 * the concurrent one is faster but loses per-machine order (and, like both, acknowledges MQTT
 * before anything is stored), so it is reported beside it, not used for the ratio.
 */
export async function benchNaive(
  services: BenchServices,
  options: { mix: LoadMix; warmupSeconds: number; seconds: number; ordered: boolean },
  log: (line: string) => void,
): Promise<NaiveResult> {
  const runId = uniqueName('n')
  const gateway = fork(
    path.join(__dirname, 'naive-gateway-main.js'),
    [
      JSON.stringify({
        mqttUrl: services.mqttUrl,
        databaseUrl: await createTestDatabase(),
        kafkaBrokers: services.kafkaBrokers,
        topicPrefix: runId,
        kafkaTopic: `bench.${runId}.naive`,
        ordered: options.ordered,
      }),
    ],
    { stdio: 'inherit' },
  )
  let done = 0
  const ready = new Promise<void>((resolve, reject) => {
    gateway.on('message', (m: { done: number }) => {
      done = m.done
      resolve()
    })
    gateway.once('exit', (code) => reject(new Error(`naive gateway exited with ${code}`)))
  })
  await ready
  const load = await LoadProcess.forBench(services.mqttUrl, runId, options.mix)
  try {
    log(
      `naive (${options.ordered ? 'in order' : 'concurrent'}): closed loop, ${options.warmupSeconds} s warm-up + ${options.seconds} s`,
    )
    const window = await measureThroughput({
      load,
      done: () => Promise.resolve(done),
      pids: { naive: gateway.pid ?? 0, load: load.pid },
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
      backlog: 5_000,
    })
    log(
      `naive (${options.ordered ? 'in order' : 'concurrent'}): ${window.perSecond} messages/s; draining`,
    )
    await load.stop()
    await drain(load, () => Promise.resolve(done), 60_000)
    return {
      ...window,
      ordered: options.ordered,
      dataPointsPerSecond: Math.round(window.perSecond * dataPointsPerMessage(options.mix)),
    }
  } finally {
    await load.stop()
    const exited = new Promise((resolve) => gateway.once('exit', resolve))
    gateway.disconnect()
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
    gateway.kill('SIGKILL')
  }
}
