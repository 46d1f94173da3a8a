import { Subject, type Observable } from 'rxjs'
import { withTimeout } from '../deadline.js'
import { contentKey } from '../domain/inputs.js'
import { sleep } from '../abortable-sleep.js'
import type { DeadLetter } from '../journal/dead-letters.js'
import type { Logger } from '../logger.js'
import type { InboundMessage } from '../streams/inbound.js'
import type { BoundName } from '../domain/bounds.js'
import {
  EdgeSessions,
  UNBOUNDED,
  type RebirthReason,
  type SessionBounds,
  type Verdict,
} from './edge-sessions.js'
import { TokenBucket } from './token-bucket.js'
import type { MachineMapping, Mapping } from './mapping.js'
import { decodePayload, encodeCommand } from './payload.js'
import { edgeTopic, nodeKey, parseTopic, type EdgeAddress } from './topics.js'
import { counterNames, translate, type DerivedInput, type MachineMemory } from './translate.js'
import { machineTopic } from '../domain/topics.js'

/** What a machine's committed state says of the host's memory of it (after a restart). */
export type RecalledMachine = {
  metrics: Record<string, number>
  lastPartId: number | null
  lastOrder: number | null
}

/** The host's ports to the outside world. */
export type SparkplugHostPorts = {
  /** The machine's committed state, or undefined for a machine never seen. */
  recall(machineId: string): Promise<RecalledMachine | undefined>
  /** Stores a message the host cannot use, with the reason; resolves once stored. */
  deadLetter(letter: DeadLetter): Promise<void>
  /** Publishes a command to the edge (QoS 1); rejects when the broker did not take it in time. */
  publish(topic: string, payload: Buffer): Promise<void>
  /** Notes where a machine was born, so a command to it finds its edge node. */
  born(machineId: string, address: EdgeAddress, at: number): Promise<void>
}

export type SparkplugHostOptions = {
  topicPrefix: string
  /** Fewest ms between two rebirth requests to one edge node. */
  rebirthIntervalMs: number
  /** Most rebirth requests a second over all edge nodes (default: no limit). */
  rebirthRate?: number
  /** Largest Sparkplug payload taken, in bytes, as for JSON (default: no limit). */
  maxPayloadBytes?: number
  /** Bounds on the sessions outside ids create (default: none). */
  bounds?: SessionBounds
  /** Bounds each read of a machine's state. */
  deadlineMs: number
  log: Logger
  onMessage?: (type: string) => void
  /** Told how many edge nodes are online after each message. */
  onNodesOnline?: (count: number) => void
  onRebirth?: (reason: RebirthReason, sent: boolean) => void
  onRejected?: () => void
  /** Told when a message is refused at a bound (it is dead-lettered with the reason). */
  onBound?: (bound: BoundName) => void
}

/**
 * The Sparkplug B host application. Messages are taken one at a time in arrival order (a
 * node's seq and aliases depend on every message before); each is checked against its edge
 * node's session and becomes the JSON inputs its machine's metrics mean, which the pipeline
 * takes as it takes every other input. The Sparkplug message is acknowledged once all its
 * inputs are (committed) or it is stored as a dead letter.
 */
export class SparkplugHost {
  private readonly sessions: EdgeSessions
  private readonly memory = new Map<string, MachineMemory>()
  /** Rebirth requests sent within the last interval, by node: pruned, so bounded by the rate. */
  private readonly lastRebirth = new Map<string, number>()
  private readonly rebirths: TokenBucket
  private rebirthsPrunedAt = 0
  private readonly derived = new Subject<InboundMessage>()
  private turn: Promise<void> = Promise.resolve()
  private readonly stopping = new AbortController()

  constructor(
    private readonly mapping: Mapping,
    private readonly ports: SparkplugHostPorts,
    private readonly options: SparkplugHostOptions,
  ) {
    this.sessions = new EdgeSessions(options.bounds ?? UNBOUNDED)
    const rate = options.rebirthRate ?? Infinity
    this.rebirths = new TokenBucket(rate, rate)
  }

  /** The inputs the host derives, for the pipeline. */
  inputs(): Observable<InboundMessage> {
    return this.derived.asObservable()
  }

  onlineNodes(): number {
    return this.sessions.online()
  }

  /** The edge node or device a machine is, when it is a Sparkplug one born now. */
  isBorn(address: EdgeAddress): boolean {
    return this.sessions.isBorn(address)
  }

  /** Takes one Sparkplug message; handled after every one before it. */
  receive(message: InboundMessage): void {
    this.turn = this.turn
      .then(() => this.handle(message))
      .catch((err: unknown) => {
        // Left unacknowledged: the broker delivers it again after a reconnect or restart.
        this.options.log.error({ err, topic: message.topic }, 'a Sparkplug message failed')
      })
  }

  /** Waits for the messages taken so far; the derived inputs end after it. */
  async stop(): Promise<void> {
    this.stopping.abort()
    await this.turn
    this.derived.complete()
  }

  /** Asks an edge node to publish its births again, at most once per interval. */
  async requestRebirth(address: EdgeAddress, reason: RebirthReason): Promise<boolean> {
    const key = nodeKey(address)
    const now = Date.now()
    this.pruneRebirths(now)
    const last = this.lastRebirth.get(key)
    if (last !== undefined && now - last < this.options.rebirthIntervalMs) {
      this.options.onRebirth?.(reason, false)
      return false
    }
    // Overall, too: many nodes (or many made-up ids) must not turn the host into a flood.
    if (!this.rebirths.take(now)) {
      this.options.onRebirth?.(reason, false)
      this.options.onBound?.('sparkplug-rebirth-rate')
      return false
    }
    this.lastRebirth.set(key, now)
    const node = { group: address.group, edgeNode: address.edgeNode }
    try {
      await this.ports.publish(
        edgeTopic('NCMD', node),
        encodeCommand('Node Control/Rebirth', 'Boolean', true, now),
      )
      this.options.onRebirth?.(reason, true)
      this.options.log.info({ node: key, reason }, 'asked an edge node to rebirth')
      return true
    } catch (err) {
      this.lastRebirth.delete(key)
      this.options.log.warn({ err, node: key, reason }, 'a rebirth request was not sent')
      return false
    }
  }

  /** Forgets the requests older than the interval, at most once an interval. */
  private pruneRebirths(now: number): void {
    const interval = this.options.rebirthIntervalMs
    if (now - this.rebirthsPrunedAt < interval) return
    this.rebirthsPrunedAt = now
    for (const [key, at] of this.lastRebirth) if (now - at >= interval) this.lastRebirth.delete(key)
  }

  /** Forgets idle edge nodes and the host's memory of their machines (recalled when needed). */
  private evictIdle(now: number): void {
    for (const address of this.sessions.evictIdle(now)) {
      const machine = this.mapping.resolve(address)
      if (machine) this.memory.delete(machine.machineId)
    }
  }

  private async handle(message: InboundMessage): Promise<void> {
    this.evictIdle(message.receivedAt)
    const topic = parseTopic(message.topic)
    if (!topic) return this.reject(message, `not a Sparkplug B topic: ${message.topic}`)
    // Host STATE messages (ours and other hosts'): nothing for the machines.
    if (topic.kind === 'state') return message.ack()
    this.options.onMessage?.(topic.type)
    const max = this.options.maxPayloadBytes ?? Infinity
    if (message.payload.length > max) {
      this.options.onBound?.('sparkplug-payload-bytes')
      return this.reject(
        message,
        `${topic.type}: payload of ${message.payload.length} bytes exceeds MAX_PAYLOAD_BYTES (${max})`,
      )
    }
    const decoded = decodePayload(message.payload)
    if (!decoded.ok) return this.reject(message, `${topic.type}: ${decoded.reason}`)
    const verdict = this.sessions.accept(topic.type, topic, decoded.payload, message.receivedAt)
    this.options.onNodesOnline?.(this.sessions.online())
    if (verdict.kind === 'ignored') {
      this.options.log.debug({ topic: message.topic, reason: verdict.reason }, 'ignored')
      return message.ack()
    }
    if (verdict.kind === 'rejected') {
      if (verdict.bound) this.options.onBound?.(verdict.bound)
      if (verdict.rebirth) void this.requestRebirth(topic, verdict.rebirth)
      return this.reject(message, verdict.reason)
    }
    if (verdict.gap) {
      // Counted and asked about, not stored: the message itself is whole and its aliases known.
      this.options.log.warn({ topic: message.topic, gap: verdict.gap }, 'Sparkplug seq gap')
      void this.requestRebirth(topic, 'seq-gap')
    }
    const { inputs, problems } = await this.inputsOf(verdict, message)
    const letter = problems.length > 0 ? this.letter(message, problems.join('; ')) : undefined
    this.emit(message, inputs, letter)
  }

  /** The inputs a verdict makes, for each machine it concerns. */
  private async inputsOf(
    verdict: Extract<Verdict, { kind: 'birth' | 'data' | 'death' }>,
    message: InboundMessage,
  ): Promise<{ inputs: DerivedInput[]; problems: string[] }> {
    const key = `sp:${contentKey(message)}`
    if (verdict.kind === 'death') {
      const { group, edgeNode } = verdict.address
      const died = verdict.address.device === undefined ? 'NDEATH of its edge node' : 'DDEATH'
      const addresses: EdgeAddress[] =
        verdict.address.device === undefined
          ? [{ group, edgeNode }, ...verdict.devices.map((device) => ({ group, edgeNode, device }))]
          : [verdict.address]
      const inputs = addresses.flatMap((a, i) => {
        const mapping = this.mapping.resolve(a)
        // Only a machine whose run state comes from Sparkplug has its state taken from it.
        if (!mapping?.state) return []
        return [offline(mapping, this.options.topicPrefix, message, `${key}:${i}`, died)]
      })
      return { inputs, problems: [] }
    }
    const mapping = this.mapping.resolve(verdict.address)
    if (!mapping) return { inputs: [], problems: [] }
    if (verdict.kind === 'birth')
      void this.ports
        .born(mapping.machineId, verdict.address, message.receivedAt)
        .catch((err: unknown) =>
          this.options.log.warn({ err, machineId: mapping.machineId }, 'a birth was not noted'),
        )
    const memory = await this.memoryOf(mapping)
    return translate(verdict.readings, mapping, memory, this.options.topicPrefix, key)
  }

  /** The host's memory of a machine, read back from its committed state the first time. */
  private async memoryOf(mapping: MachineMapping): Promise<MachineMemory> {
    // Only counted parts need a memory: a machine without them (every unmapped one) keeps
    // none, so made-up edge node ids cost the host nothing once their sessions go.
    if (!mapping.parts)
      return { counters: new Map(), scrapPending: 0, partId: undefined, order: undefined }
    const known = this.memory.get(mapping.machineId)
    if (known) return known
    const recalled = await this.recall(mapping.machineId)
    const counters = new Map<string, number>()
    for (const { counter, telemetry } of counterNames(mapping)) {
      const v = recalled?.metrics[telemetry]
      if (v !== undefined) counters.set(counter, v)
    }
    const memory: MachineMemory = {
      counters,
      scrapPending: 0,
      partId: recalled?.lastPartId ?? undefined,
      order: recalled?.lastOrder ?? undefined,
    }
    this.memory.set(mapping.machineId, memory)
    return memory
  }

  /** Reads a machine's state, trying again while the database does not answer. */
  private async recall(machineId: string): Promise<RecalledMachine | undefined> {
    for (let wait = 100; ; wait = Math.min(wait * 2, 5000)) {
      try {
        return await withTimeout(this.ports.recall(machineId), this.options.deadlineMs)
      } catch (err) {
        if (this.stopping.signal.aborted) throw err
        this.options.log.warn({ err, machineId }, 'reading a machine for the Sparkplug host failed')
        await sleep(wait, this.stopping.signal).catch(() => undefined)
      }
    }
  }

  /** Hands on a message's inputs; it is acknowledged once all are, and its letter stored. */
  private emit(
    message: InboundMessage,
    inputs: readonly DerivedInput[],
    letter: Promise<void> | undefined,
  ): void {
    let waiting = inputs.length + (letter ? 1 : 0)
    if (waiting === 0) return message.ack()
    const settled = () => {
      waiting -= 1
      if (waiting === 0) message.ack()
    }
    void letter?.then(settled, (err: unknown) =>
      this.options.log.error(
        { err, topic: message.topic },
        'a Sparkplug dead letter was not stored',
      ),
    )
    for (const input of inputs) {
      let acked = false
      this.derived.next({
        topic: input.topic,
        payload: Buffer.from(input.payload),
        receivedAt: message.receivedAt,
        ack: () => {
          if (acked) return
          acked = true
          settled()
        },
      })
    }
  }

  private letter(message: InboundMessage, reason: string): Promise<void> {
    this.options.onRejected?.()
    return this.ports.deadLetter({
      source: message.topic,
      payload: message.payload,
      reason,
      idempotencyKey: `${contentKey(message)}:letter`,
      receivedAt: message.receivedAt,
    })
  }

  /** Stores the message as a dead letter, then acknowledges it. */
  private async reject(message: InboundMessage, reason: string): Promise<void> {
    await this.letter(message, reason)
    message.ack()
  }
}

function offline(
  mapping: MachineMapping,
  topicPrefix: string,
  message: InboundMessage,
  messageId: string,
  reason: string,
): DerivedInput {
  return {
    topic: machineTopic(topicPrefix, mapping.machineId, 'status'),
    payload: JSON.stringify({
      state: 'offline',
      at: new Date(message.receivedAt).toISOString(),
      reason,
      messageId,
    }),
  }
}
