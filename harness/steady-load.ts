import { readTopic } from '../test/support/kafka-reader'
import { productionMessages, TestPublisher } from './mqtt-publisher'
import { queryOnce, uniqueName, waitFor } from './services'

/** What a steady load sent, once stopped: every message was acknowledged by the broker. */
export type SteadyLoadResult = Readonly<{ sent: number; machines: number; prefix: string }>

/**
 * A steady background load of valid production reports, as the hostile-client tests run beside
 * each attack: `machines` machines (50 by default) publishing at QoS 1 in rounds of one message
 * per machine, `ratePerSecond` messages a second in all. Each message has a messageId, so what
 * was sent can be checked exactly afterwards with {@link expectAllApplied}.
 */
export class SteadyLoad {
  private sentCount = 0
  private stopped = false
  private readonly loop: Promise<void>

  private constructor(
    private readonly publisher: TestPublisher,
    readonly prefix: string,
    readonly machines: number,
    private readonly ratePerSecond: number,
  ) {
    this.loop = this.run()
  }

  static async start(options: {
    mqttUrl: string
    prefix: string
    machines?: number
    ratePerSecond?: number
  }): Promise<SteadyLoad> {
    const publisher = await TestPublisher.connect(options.mqttUrl, uniqueName('steady-'))
    return new SteadyLoad(
      publisher,
      options.prefix,
      options.machines ?? 50,
      options.ratePerSecond ?? 250,
    )
  }

  /** Messages acknowledged by the broker so far. */
  get sent(): number {
    return this.sentCount
  }

  /** Stops publishing; resolves with what was sent once the last round is acknowledged. */
  async stop(): Promise<SteadyLoadResult> {
    this.stopped = true
    await this.loop
    await this.publisher.close()
    return { sent: this.sentCount, machines: this.machines, prefix: this.prefix }
  }

  private async run(): Promise<void> {
    const roundMs = (1000 * this.machines) / this.ratePerSecond
    while (!this.stopped) {
      const started = Date.now()
      await this.publisher.publishAll(
        productionMessages(this.prefix, this.machines, this.machines, this.sentCount),
      )
      this.sentCount += this.machines
      const rest = roundMs - (Date.now() - started)
      if (rest > 0) await new Promise((r) => setTimeout(r, rest))
    }
  }
}

/**
 * Waits until every message of a steady load is in the event log exactly once (one
 * PartProduced of the load's machines per message) and, with Kafka, on the production
 * topic under as many distinct event ids; fails with what is missing otherwise.
 */
export async function expectAllApplied(options: {
  databaseUrl: string
  load: SteadyLoadResult
  kafka?: { brokers: string; topicPrefix: string }
  timeoutMs?: number
}): Promise<void> {
  const { databaseUrl, load } = options
  const timeoutMs = options.timeoutMs ?? 60_000
  const counts = async () =>
    (
      await queryOnce<{ events: number; keys: number }>(
        databaseUrl,
        `SELECT count(*)::int AS events,
                count(DISTINCT l.payload->>'messageId')::int AS keys
           FROM event_log l
          WHERE l.type = 'PartProduced' AND l.entity_id = ANY($1::text[])`,
        [Array.from({ length: load.machines }, (_, i) => String(i + 1))],
      )
    )[0] ?? { events: 0, keys: 0 }
  const applied = await waitFor(
    `${load.sent} production reports in the event log`,
    async () => {
      const c = await counts()
      return c.events >= load.sent ? c : undefined
    },
    timeoutMs,
  ).catch(async (err: unknown) => {
    const c = await counts()
    throw new Error(`${String(err)} (have ${c.events} of ${load.sent})`)
  })
  if (applied.events !== load.sent || applied.keys !== load.sent)
    throw new Error(
      `expected exactly ${load.sent} production events, found ${applied.events} (${applied.keys} distinct)`,
    )
  if (options.kafka) {
    const records = await readTopic(
      options.kafka.brokers,
      `${options.kafka.topicPrefix}.production`,
      load.sent,
      timeoutMs,
    )
    const distinct = new Set(records.map((r) => r.eventId))
    if (distinct.size !== load.sent)
      throw new Error(`expected ${load.sent} production records on Kafka, found ${distinct.size}`)
  }
}

/** Waits until `/readyz` answers 200, failing after `timeoutMs` (10 s by default). */
export async function expectReadyWithin(serviceUrl: string, timeoutMs = 10_000): Promise<number> {
  const started = Date.now()
  await waitFor(
    '/readyz to answer 200',
    async () => ((await fetch(`${serviceUrl}/readyz`)).status === 200 ? true : undefined),
    timeoutMs,
    100,
  )
  return Date.now() - started
}

/**
 * What every hostile test checks once its attack is over: the load goes on past it (`more`
 * further messages, 500 by default), then, stopped, every message it sent is applied exactly
 * once (and on Kafka) and `/readyz` answers 200 within 10 s.
 */
export async function expectLoadSurvived(
  load: SteadyLoad,
  options: {
    databaseUrl: string
    serviceUrl: string
    kafka?: { brokers: string; topicPrefix: string }
    more?: number
  },
): Promise<SteadyLoadResult> {
  const from = load.sent
  const more = options.more ?? 500
  await waitFor(`${more} more messages of the load`, () =>
    Promise.resolve(load.sent > from + more ? true : undefined),
  )
  const result = await load.stop()
  await expectAllApplied({ databaseUrl: options.databaseUrl, load: result, kafka: options.kafka })
  await expectReadyWithin(options.serviceUrl, 10_000)
  return result
}
