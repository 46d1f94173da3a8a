import mqtt from 'mqtt'
import type { Logger } from '../logger.js'

export type SimulatorOptions = {
  url: string
  topicPrefix: string
  machines: number
  /** Parts per second, per machine. */
  rate: number
  /** Stop after this many seconds (0: run until stopped). */
  durationSeconds: number
  /** Share of parts produced damaged (var5), 0..1. */
  scrapRate: number
}

/** Fleet of virtual machines publishing production reports over MQTT QoS 1. */
export class Simulator {
  private timer: NodeJS.Timeout | undefined
  private published = 0

  constructor(
    private readonly options: SimulatorOptions,
    private readonly log: Logger,
  ) {}

  /** Publishes until the duration elapses or `stop` is called; resolves with the count sent. */
  async run(signal?: AbortSignal): Promise<number> {
    const { machines, rate, durationSeconds, topicPrefix } = this.options
    const client = await mqtt.connectAsync(this.options.url, {
      protocolVersion: 4,
      clientId: `millstream-sim-${process.pid}`,
    })
    const orders = Array.from({ length: machines }, (_, i) => 1000 * (i + 1))
    const tickMs = 100
    const perTick = (machines * rate * tickMs) / 1000
    let carry = 0
    let next = 0
    const started = Date.now()
    this.log.info({ machines, rate, url: this.options.url }, 'simulator publishing')
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearInterval(this.timer)
        resolve()
      }
      signal?.addEventListener('abort', finish, { once: true })
      this.timer = setInterval(() => {
        if (durationSeconds > 0 && Date.now() - started >= durationSeconds * 1000) return finish()
        carry += perTick
        for (; carry >= 1; carry -= 1) {
          const machine = next % machines
          next += 1
          const order = (orders[machine] as number) + Math.floor(next / (machines * 50))
          const payload = {
            timeOfProduction: new Date().toISOString(),
            order,
            partId: 1 + (machine % 8),
            machineId: machine + 1,
            var1: Math.round(Math.random() * 10000) / 100,
            var2: `batch-${order}`,
            var3: machine % 2 === 0 ? 'line-a' : 'line-b',
            var4: Math.round(20 + Math.random() * 5),
            var5: Math.random() < this.options.scrapRate,
          }
          client.publish(
            `${topicPrefix}/machines/${machine + 1}/production`,
            JSON.stringify(payload),
            { qos: 1 },
          )
          this.published += 1
        }
      }, tickMs)
    })
    await client.endAsync()
    this.log.info({ published: this.published }, 'simulator stopped')
    return this.published
  }
}
