import { sleep } from '../abortable-sleep.js'
import type { Logger } from '../logger.js'
import { ALWAYS_PRODUCING, MachineModel } from './machine-model.js'
import { MaterialMarket } from './market.js'
import { MESSAGE_KINDS, MessageFactory, type MessageKind, type SimMessage } from './messages.js'
import { MqttLink } from './mqtt-link.js'
import type { SimulateArgs } from './options.js'
import { SIM_CALENDAR } from './plant-calendar.js'
import { buildPlant, type Plant } from './plant.js'
import { Random } from './random.js'
import type { SimState } from './sensors.js'
import { planOf, ShiftSchedule } from './shift-schedule.js'
import { SparkplugPlant, type SparkplugCounts } from './sparkplug-plant.js'

export type SimulatorOptions = SimulateArgs & {
  url: string
  topicPrefix: string
  connectTimeoutMs: number
  publishTimeoutMs: number
}

/** Messages sent, by kind; with Sparkplug, by Sparkplug message type too. */
export type SimulatorCounts = Record<MessageKind, number> & Partial<SparkplugCounts>

// Real time between two steps of the plant, between two telemetry samples of a machine, and
// between two summary lines. Telemetry follows real time so a faster plant sends no more of it.
const TICK_MS = 100
const TELEMETRY_EVERY_REAL_S = 5
const SUMMARY_EVERY_MS = 10_000
// The past is played in steps of this much real time, each published before the next.
const HISTORY_STEP_MS = 60_000

/** The plant the options describe: the same options give the same plant. */
export function simulatedPlant(o: SimulateArgs): Plant {
  return buildPlant({
    seed: o.seed,
    machines: o.machines,
    scrapShare: o.scrapShare,
    cycleSeconds: o.rate === undefined ? undefined : 1 / o.rate,
    mtbfSeconds: o.mtbfSeconds,
    mttrSeconds: o.mttrSeconds,
  })
}

/**
 * A plant of virtual machines publishing over MQTT QoS 1: first every part's reference data and
 * every material's price (acknowledged before any production, so each part's ideal cycle time
 * is known when its first part arrives), then status, production and telemetry as they happen.
 * With Sparkplug the machines are devices of edge nodes instead (reference data and prices stay
 * JSON: Sparkplug has no master data).
 */
export class Simulator {
  private readonly counts = Object.fromEntries(MESSAGE_KINDS.map((k) => [k, 0])) as Record<
    MessageKind,
    number
  >
  private sparkplug: SparkplugPlant | undefined

  constructor(
    private readonly options: SimulatorOptions,
    private readonly log: Logger,
  ) {}

  /** Runs until the duration has passed or `signal` aborts; resolves with the counts sent. */
  async run(signal?: AbortSignal): Promise<SimulatorCounts> {
    const o = this.options
    const plant = simulatedPlant(o)
    const runId = `sim${o.seed}-${process.pid}-${Date.now().toString(36)}`
    const link = await MqttLink.connect({
      url: o.url,
      clientId: `millstream-${runId}`,
      connectTimeoutMs: o.connectTimeoutMs,
      publishTimeoutMs: o.publishTimeoutMs,
      log: this.log,
    })
    try {
      await this.operate(plant, link, runId, signal)
    } finally {
      await link.close()
    }
    return this.sentSoFar()
  }

  private async operate(plant: Plant, link: MqttLink, runId: string, signal?: AbortSignal) {
    const o = this.options
    const market = new MaterialMarket(plant.materials, Random.derive(o.seed, 'market'))
    const origin = { ms: Date.now() }
    const wallMs = (at: number) => origin.ms + (at * 1000) / o.speed
    const atOf = (ms: number) => ((ms - origin.ms) / 1000) * o.speed
    const factory = new MessageFactory(o.topicPrefix, runId, { wallMs, speed: o.speed })
    await this.send(link, [
      ...plant.parts.map((p) => factory.partInfo(p)),
      ...market.opening().map((q) => factory.material(q)),
    ])
    // Simulated second 0 is when the reference data has been acknowledged; with history, that
    // far in the past: the loop plays it first.
    const startMs = Date.now()
    origin.ms = startMs - o.historyMinutes * 60_000
    const plan = o.roundTheClock
      ? ALWAYS_PRODUCING
      : planOf(new ShiftSchedule(SIM_CALENDAR), { wallMs, atOf })
    const models = plant.machines.map(
      (c) =>
        new MachineModel(
          c,
          Random.derive(o.seed, `machine-run/${c.machineId}`),
          TELEMETRY_EVERY_REAL_S * o.speed,
          plan,
        ),
    )
    this.sparkplug = o.sparkplug
      ? await SparkplugPlant.start(
          {
            ...o.sparkplug,
            url: o.url,
            runId,
            connectTimeoutMs: o.connectTimeoutMs,
            publishTimeoutMs: o.publishTimeoutMs,
            log: this.log,
          },
          models,
          wallMs,
        )
      : undefined
    this.log.info(this.describe(plant), 'simulator started')
    await this.play(models, market, factory, { originMs: origin.ms, startMs }, link, signal)
  }

  /** Runs the plant from simulated second 0 (at `originMs`, before `startMs` with history) on. */
  private async play(
    models: readonly MachineModel[],
    market: MaterialMarket,
    factory: MessageFactory,
    { originMs, startMs }: { originMs: number; startMs: number },
    link: MqttLink,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const o = this.options
    const endMs = o.durationSeconds > 0 ? startMs + o.durationSeconds * 1000 : Infinity
    const simulatedAt = (ms: number) => ((Math.min(ms, endMs) - originMs) / 1000) * o.speed
    let summaryAt = startMs + SUMMARY_EVERY_MS
    let playedUntilMs = originMs
    let played = 0
    if (o.historyMinutes > 0) this.log.info({ minutes: o.historyMinutes }, 'playing the past first')
    try {
      while (!signal?.aborted) {
        const nowMs = Date.now()
        const catchingUp = nowMs - playedUntilMs > HISTORY_STEP_MS
        playedUntilMs = catchingUp ? playedUntilMs + HISTORY_STEP_MS : nowMs
        const simNow = simulatedAt(playedUntilMs)
        if (this.sparkplug) await this.stepSparkplug(models, market, factory, link, played, simNow)
        else await this.send(link, this.step(models, market, factory, simNow))
        played = simNow
        if (catchingUp) continue
        if (Date.now() >= summaryAt) {
          summaryAt += SUMMARY_EVERY_MS
          this.log.info(this.summary(models, simulatedAt(nowMs)), 'simulator running')
        }
        if (nowMs >= endMs) break
        await sleep(TICK_MS, signal).catch(() => undefined)
      }
    } finally {
      // Each device and node says goodbye, so hosts need not wait for a will.
      await this.sparkplug?.stop(Date.now())
    }
    this.log.info(this.summary(models, simulatedAt(Date.now())), 'simulator stopped')
  }

  /** Everything the plant says up to simulated time `simNow`, in time order. */
  private step(
    models: readonly MachineModel[],
    market: MaterialMarket,
    factory: MessageFactory,
    simNow: number,
  ): SimMessage[] {
    const timed: { at: number; message: SimMessage }[] = []
    for (const m of models)
      for (const e of m.advance(simNow))
        timed.push({ at: e.at, message: factory.fromMachine(m.config, e) })
    for (const q of market.advance(simNow)) timed.push({ at: q.at, message: factory.material(q) })
    // A stable sort: each machine's messages keep their order.
    return timed.sort((a, b) => a.at - b.at).map((t) => t.message)
  }

  /**
   * One tick with Sparkplug: the commands that came in take effect where the machines were
   * (`played`), the machines go on to `simNow`, and each device reports once what changed.
   */
  private async stepSparkplug(
    models: readonly MachineModel[],
    market: MaterialMarket,
    factory: MessageFactory,
    link: MqttLink,
    played: number,
    simNow: number,
  ): Promise<void> {
    const sparkplug = this.sparkplug as SparkplugPlant
    sparkplug.applyCommands(played)
    for (const m of models) sparkplug.record(m.config.machineId, m.advance(simNow))
    const quotes = market.advance(simNow).map((q) => factory.material(q))
    await Promise.all([this.send(link, quotes), sparkplug.publish(Date.now())])
  }

  private async send(link: MqttLink, messages: SimMessage[]): Promise<void> {
    if (messages.length === 0) return
    await link.publishAll(messages)
    for (const m of messages) this.counts[m.kind] += 1
  }

  private describe(plant: Plant) {
    const o = this.options
    return {
      url: o.url,
      machines: plant.machines.length,
      parts: plant.parts.map((p) => ({ partId: p.partId, cycleSeconds: p.cycleSeconds })),
      materials: plant.materials.length,
      speed: o.speed,
      seed: o.seed,
      ...(o.sparkplug ? { sparkplug: o.sparkplug } : {}),
    }
  }

  private summary(models: readonly MachineModel[], simNow: number) {
    const states: Record<SimState, number> = { running: 0, idle: 0, down: 0, maintenance: 0 }
    for (const m of models) states[m.state] += 1
    return { sent: this.sentSoFar(), states, simulatedMinutes: Math.round(simNow / 6) / 10 }
  }

  private sentSoFar(): SimulatorCounts {
    return { ...this.counts, ...this.sparkplug?.sent() }
  }
}
