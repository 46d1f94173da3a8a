import type { z } from 'zod'
import type {
  materialPayloadSchema,
  partInfoPayloadSchema,
  statusPayloadSchema,
  telemetryPayloadSchema,
} from '../domain/input-schemas.js'
import type { productionPayloadSchema } from '../domain/production.js'
import type { MachineEmission } from './machine-model.js'
import type { PriceQuote } from './market.js'
import type { MachineConfig, PartSpec } from './plant.js'
import {
  machineTopic,
  materialTopic,
  partInfoTopic,
  type MachineTopicLeaf,
} from '../domain/topics.js'

/** The kinds of message the plant sends, one MQTT input topic each. */
export const MESSAGE_KINDS = ['status', 'production', 'telemetry', 'partInfo', 'material'] as const
export type MessageKind = (typeof MESSAGE_KINDS)[number]

/** One MQTT message, ready to publish. */
export type SimMessage = { kind: MessageKind; topic: string; payload: string }

export type MessageClock = {
  /** Epoch ms of simulated second `at`: payloads carry wall-clock time. */
  wallMs(at: number): number
  /** Simulated seconds per real second. */
  speed: number
}

/**
 * Turns what the plant says into input messages, each with a message id unique to this run
 * (the service drops a repeated id, so a second run must not reuse the first one's).
 */
export class MessageFactory {
  private sequence = 0

  constructor(
    private readonly topicPrefix: string,
    private readonly runId: string,
    private readonly clock: MessageClock,
  ) {}

  fromMachine(machine: MachineConfig, e: MachineEmission): SimMessage {
    const topic = (leaf: MachineTopicLeaf) =>
      machineTopic(this.topicPrefix, machine.machineId, leaf)
    const at = iso(this.clock.wallMs(e.at))
    switch (e.kind) {
      case 'status':
        return this.message<typeof statusPayloadSchema>('status', topic('status'), {
          state: e.state,
          at,
          reason: e.reason,
        })
      case 'part':
        return this.message<typeof productionPayloadSchema>('production', topic('production'), {
          timeOfProduction: at,
          order: e.order,
          partId: e.partId,
          machineId: Number(machine.machineId),
          var1: e.deviationUm,
          var2: `batch-${e.order}`,
          var3: machine.line,
          var4: e.cycleSeconds,
          var5: e.damaged,
        })
      case 'telemetry':
        return this.message<typeof telemetryPayloadSchema>('telemetry', topic('telemetry'), {
          at,
          metrics: e.readings,
        })
    }
  }

  /**
   * A part's reference data. `timeToProduce` is the ideal cycle in real seconds (the simulated
   * one divided by the speed), so performance reads the same at any speed.
   */
  partInfo(part: PartSpec): SimMessage {
    return this.message<typeof partInfoPayloadSchema>(
      'partInfo',
      partInfoTopic(this.topicPrefix, part.partId),
      {
        defaultPrice: part.defaultPrice,
        timeToProduce: part.cycleSeconds / this.clock.speed,
        materials: part.materials,
      },
    )
  }

  material(q: PriceQuote): SimMessage {
    return this.message<typeof materialPayloadSchema>(
      'material',
      materialTopic(this.topicPrefix, q.materialId),
      { name: q.name, price: q.price, date: iso(this.clock.wallMs(q.at)) },
    )
  }

  /** A message whose body is typed by the service's own schema for its topic. */
  private message<S extends z.ZodType>(
    kind: MessageKind,
    topic: string,
    body: Omit<z.input<S>, 'messageId'>,
  ): SimMessage {
    this.sequence += 1
    const payload = JSON.stringify({ ...body, messageId: `${this.runId}-${this.sequence}` })
    return { kind, topic, payload }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
