import { randomUUID } from 'node:crypto'
import { z } from 'zod'
import {
  commandPayloadSchema,
  materialIdsOf,
  materialPayloadSchema,
  partInfoPayloadSchema,
} from '../../domain/input-schemas.js'
import {
  inputTopicPattern,
  inputTopicProblem,
  PUBLISHABLE_TOPIC,
  PUBLISHABLE_TOPIC_TEXT,
  publishTopicProblem,
} from '../../domain/topic-rules.js'
import type { MachineCommand } from '../../domain/machine.js'
import { text } from '../../domain/text.js'
import { MillstreamError } from '../../errors.js'
import { NAMESPACE } from '../../sparkplug/topics.js'
import type { MessageBus } from '../../streams/mqtt-publisher.js'
import type { RateLimiter } from '../rate-limit.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { machineIdParam, materialIdParam, partIdParam, problem } from '../schemas.js'
import {
  LEGACY_PRODUCTION_TOPIC,
  machineTopic,
  materialTopic,
  partInfoTopic,
} from '../../domain/topics.js'

/** The Sparkplug B commands of a machine that is an edge node or device (the host's port). */
export interface EdgeCommands {
  /** NCMD `Node Control/Rebirth` to the machine's edge node; undefined if it is not Sparkplug. */
  rebirth(machineId: string): Promise<{ topic: string; payload: Buffer } | undefined>
  /** The DCMD/NCMD the machine's mapping gives a command, if any. */
  command(
    machineId: string,
    command: MachineCommand,
  ): Promise<{ topic: string; payload: Buffer } | undefined>
}

const accepted = z.object({ messageId: z.string(), topic: z.string() }).meta({
  description: 'Queued on the entity’s ordered input stream; follow it in /events or /dead-letters',
})

/** 202 with the message id, linked to where the entity is read back once it is applied. */
export const acceptedWithReadBack = (
  id: string,
  readBack: { path: string; description: string },
) => ({
  description: 'Accepted',
  schema: accepted,
  links: {
    ReadBack: {
      method: 'get' as const,
      path: readBack.path,
      parameters: { [id]: `$request.path.${id}` },
      description: readBack.description,
    },
  },
})

/** What every publishing route may answer besides success. */
export const errors = {
  400: { description: 'Bad request, e.g. a topic that cannot be published to', schema: problem },
  401: { description: 'No API key, or not a known one', schema: problem },
  403: {
    description: 'The API key lacks the scope, or the publish needs `admin`',
    schema: problem,
  },
  422: {
    description: 'The MQTT broker refused the message (e.g. larger than it accepts)',
    schema: problem,
  },
  503: {
    description: 'The MQTT broker did not acknowledge in time; retry after `Retry-After` seconds',
    schema: problem,
  },
}

/** A topic checked by the one rule every publishing route shares. */
const topicField = (problemOf: (topic: string) => string | undefined, pattern: RegExp) =>
  text(1, 512)
    .regex(pattern)
    .superRefine((topic, ctx) => {
      const problem = problemOf(topic)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    })
    // The topic's own pattern, in place of text's (it allows no U+0000 either).
    .meta({ pattern: pattern.source })

const MAX_INGEST = 1000
const payloadField = z.union([z.record(z.string(), z.unknown()), z.string()])
const publishBody = z.strictObject({
  topic: topicField(publishTopicProblem, PUBLISHABLE_TOPIC).meta({
    description:
      'MQTT topic: valid UTF-8 (no lone surrogates), no control characters or noncharacters ' +
      '(U+0000-U+001F, U+007F-U+009F, U+FDD0-U+FDEF, U+xFFFE, U+xFFFF), no wildcards (# +), ' +
      'not $-prefixed',
    pattern: PUBLISHABLE_TOPIC_TEXT,
  }),
  payload: payloadField,
  qos: z.union([z.literal(0), z.literal(1)]).default(1),
  retain: z.boolean().default(false),
})

/**
 * Commands and ingest. They are published to the entity's MQTT topic, so they reach its actor
 * through the same ordered stream as machine input, whichever instance took the request.
 * The answer is 202 with the message id to follow.
 */
export function commandRoutes(
  bus: MessageBus,
  topicPrefix: string,
  ingestLimit: RateLimiter,
  edge?: EdgeCommands,
): ApiRoute[] {
  const ingestBody = z
    .array(
      z.strictObject({
        topic: topicField(
          (topic) => inputTopicProblem(topic, topicPrefix),
          inputTopicPattern(topicPrefix),
        ).meta({ description: 'An input topic the pipeline reads' }),
        payload: payloadField,
      }),
    )
    .min(1)
    .max(MAX_INGEST)
  /** A command to one entity: validated, then published to that entity's topic. */
  const entityCommand = (options: {
    method: 'post' | 'put'
    path: string
    summary: string
    id: { name: string; schema: z.ZodType }
    body: z.ZodType<{ messageId?: string }>
    topic: (id: string) => string
    /** The action its audit records name. */
    action: string
    /** Where the entity is read back once its actor has applied the command. */
    readBack: { path: string; description: string }
  }): ApiRoute =>
    defineRoute({
      method: options.method,
      path: options.path,
      summary: options.summary,
      tag: 'commands',
      scope: 'command',
      audit: {
        action: options.action,
        target: ({ params }) => options.topic(String(params[options.id.name])),
      },
      params: z.strictObject({ [options.id.name]: options.id.schema }),
      body: options.body,
      responses: {
        202: acceptedWithReadBack(options.id.name, options.readBack),
        ...errors,
      },
      handle: async (ctx, { params, body }) => {
        const topic = options.topic(String(params[options.id.name]))
        const messageId = body.messageId ?? randomUUID()
        await bus.publish(topic, JSON.stringify({ ...body, messageId }))
        ctx.status = 202
        ctx.body = { messageId, topic }
      },
    })
  return [
    machineCommand(bus, topicPrefix, edge),
    entityCommand({
      method: 'put',
      path: '/parts/{partId}',
      summary: 'Set a part’s reference data',
      id: { name: 'partId', schema: partIdParam },
      // Material ids as text only: `uniqueItems` cannot say that `7` and "7" are one id.
      body: partInfoPayloadSchema
        .omit({ partId: true })
        .extend({ materials: materialIdsOf(materialIdParam).optional() }),
      topic: (id) => partInfoTopic(topicPrefix, id),
      action: 'part-info',
      readBack: { path: '/parts/{partId}', description: 'The part, with its reference data' },
    }),
    entityCommand({
      method: 'post',
      path: '/materials/{materialId}/prices',
      summary: 'Record a material’s price',
      id: { name: 'materialId', schema: materialIdParam },
      body: materialPayloadSchema.omit({ materialId: true }),
      topic: (id) => materialTopic(topicPrefix, id),
      action: 'material-price',
      readBack: {
        path: '/materials/{materialId}',
        description: 'The material, with its price history',
      },
    }),
    defineRoute({
      method: 'post',
      path: '/ingest',
      summary: `A batch of up to ${MAX_INGEST} messages, through the same pipeline as MQTT`,
      tag: 'commands',
      scope: 'ingest',
      audit: { action: 'ingest', target: ({ body }) => `${body.length} messages` },
      body: ingestBody,
      responses: {
        202: { description: 'Accepted', schema: z.object({ accepted: z.number().int() }) },
        ...errors,
        429: { description: 'Ingest rate limit of this API key exceeded', schema: problem },
      },
      handle: async (ctx, { body: messages }) => {
        const wait = ingestLimit.take(ctx.get('authorization'), messages.length)
        if (wait > 0) {
          throw new MillstreamError(
            'RATE_LIMITED',
            `ingest rate limit for this API key exceeded; retry in ${wait} s`,
            { retriable: true, retryAfterSeconds: wait },
          )
        }
        // In order: one machine's messages keep their order through the broker.
        for (const m of messages) {
          await bus.publish(
            m.topic,
            typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload),
          )
        }
        ctx.status = 202
        ctx.body = { accepted: messages.length }
      },
    }),
    defineRoute({
      method: 'post',
      path: '/mqtt/publish',
      summary: 'Publish one message to the MQTT broker',
      tag: 'commands',
      scope: 'publish',
      audit: { action: 'mqtt-publish', target: ({ body }) => body.topic },
      body: publishBody,
      responses: {
        202: { description: 'Published', schema: z.object({ topic: z.string() }) },
        ...errors,
      },
      handle: async (ctx, { body: m, caller }) => {
        const needsAdmin = adminOnlyPublish(m.topic, m.retain, topicPrefix)
        if (needsAdmin && !caller?.scopes.has('admin'))
          throw new MillstreamError('FORBIDDEN', `${needsAdmin}: the API key lacks scope admin`)
        await bus.publish(
          m.topic,
          typeof m.payload === 'string' ? m.payload : JSON.stringify(m.payload),
          {
            qos: m.qos,
            retain: m.retain,
          },
        )
        ctx.status = 202
        ctx.body = { topic: m.topic }
      },
    }),
  ]
}

/**
 * Why a raw publish needs `admin`, or undefined when `publish` is enough: a Sparkplug topic can
 * actuate equipment (NCMD/DCMD) or forge a node's state, and a retained message on an input
 * topic is replayed on every resubscribe and applied again once out of the dedup window.
 */
export function adminOnlyPublish(
  topic: string,
  retain: boolean,
  topicPrefix: string,
): string | undefined {
  if (topic === NAMESPACE || topic.startsWith(`${NAMESPACE}/`)) return 'a Sparkplug topic'
  const input =
    topic.startsWith(`${topicPrefix}/`) ||
    topic === LEGACY_PRODUCTION_TOPIC ||
    topic.startsWith(`${LEGACY_PRODUCTION_TOPIC}/`)
  return retain && input ? 'retain on an input topic' : undefined
}

const MACHINE_READ_BACK = {
  path: '/machines/{machineId}',
  description: 'The machine the command went to',
}

const machineCommandBody = commandPayloadSchema.omit({ machineId: true }).extend({
  type: z.enum([...commandPayloadSchema.shape.type.options, 'rebirth']).meta({
    description:
      'rebirth: ask a Sparkplug B machine’s edge node to publish its births again (NCMD). ' +
      'The others go to the machine, and also to its edge as the metric write its ' +
      'Sparkplug mapping names, if any (DCMD/NCMD).',
  }),
})

/**
 * A machine's command: to its actor on the machine's command topic, and, for a Sparkplug B
 * machine whose mapping says so, to its edge as a metric write; `rebirth` goes to the edge only.
 */
function machineCommand(bus: MessageBus, topicPrefix: string, edge?: EdgeCommands): ApiRoute {
  return defineRoute({
    method: 'post',
    path: '/machines/{machineId}/commands',
    summary: 'Start or end maintenance, reset the counters, or ask a Sparkplug machine to rebirth',
    tag: 'commands',
    scope: 'command',
    audit: {
      action: 'machine-command',
      target: ({ params, body }) => `machine ${params.machineId}: ${body.type}`,
    },
    params: z.strictObject({ machineId: machineIdParam }),
    body: machineCommandBody,
    responses: {
      202: acceptedWithReadBack('machineId', MACHINE_READ_BACK),
      ...errors,
      404: { description: 'rebirth: the machine is not a Sparkplug B one', schema: problem },
    },
    handle: async (ctx, { params, body }) => {
      const { machineId } = params
      const messageId = body.messageId ?? randomUUID()
      if (body.type === 'rebirth') {
        const rebirth = await edge?.rebirth(machineId)
        if (!rebirth)
          throw new MillstreamError(
            'NOT_FOUND',
            `machine ${machineId} has not been born as a Sparkplug B edge node or device`,
          )
        await bus.publish(rebirth.topic, rebirth.payload)
        ctx.status = 202
        ctx.body = { messageId, topic: rebirth.topic }
        return
      }
      const topic = machineTopic(topicPrefix, machineId, 'commands')
      await bus.publish(topic, JSON.stringify({ ...body, messageId }))
      const write = await edge?.command(machineId, body.type)
      if (write) await bus.publish(write.topic, write.payload)
      ctx.status = 202
      ctx.body = { messageId, topic }
    },
  })
}
