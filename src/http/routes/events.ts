import { pipeline, Transform, type Readable } from 'node:stream'
import avro from 'avsc'
import type { Context } from 'koa'
import { z } from 'zod'
import { EVENT_TYPES, type EventType } from '../../domain/event-catalog.js'
import type { DomainEvent } from '../../domain/events.js'
import { timestampTextSchema } from '../../domain/timestamps.js'
import { MillstreamError } from '../../errors.js'
import { avroRecordOf } from '../../publish/avro/event-records.js'
import type { EventSchema } from '../../publish/avro/schema-registry.js'
import type { EventHistory, HistoryStream, SchemaReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { entityKeyParam, intParam, problem } from '../schemas.js'

const NDJSON = 'application/x-ndjson'
const AVRO = 'application/avro'

const eventType = z.enum(EVENT_TYPES)

/** Event type names, comma-separated: the grammar the transform below reads, for the document. */
const typeNames = z.string().meta({
  pattern: `^(?:${eventType.options.join('|')})(?:,(?:${eventType.options.join('|')}))*$`,
})

/** `?type=A&type=B` and `?type=A,B` alike. */
const typeList = z
  .union([typeNames, z.array(typeNames).min(1)])
  .transform((v) => (v === '' ? [] : [v].flat().flatMap((s) => s.split(','))))
  .pipe(z.array(eventType).min(1, 'name at least one event type'))
  .transform((types) => [...new Set(types)])

/** Where a cut-short answer goes on: the `eventId` of the last event it held. */
export const afterParam = z
  .uuid()
  .optional()
  .meta({
    description:
      'Only events after this one in log order (its eventId): how an answer cut short by the ' +
      'service’s caps on rows or duration goes on (see the `Link` trailer)',
  })

/** What a streamed answer says about its caps, for the document. */
export const CAPPED =
  'At most READ_MAX_ROWS events and READ_MAX_DURATION_MS per answer: an answer cut short by ' +
  'either ends cleanly and sends the HTTP trailer `Link: <same query with after=<last eventId>>; ' +
  'rel="next"`; a client that cannot read trailers asks again with `after=` its last eventId ' +
  'until an answer is empty.'

const eventsQuery = z.strictObject({
  type: typeList.optional().meta({
    description: `Event types, repeated or comma-separated: ${eventType.options.join(', ')}`,
  }),
  key: entityKeyParam.optional(),
  from: timestampTextSchema
    .optional()
    .meta({ description: 'Events that occurred at or after this: ISO-8601 or epoch ms' }),
  to: timestampTextSchema.optional().meta({
    description:
      'Events that occurred before this (exclusive): ISO-8601 or epoch ms; not before `from`',
  }),
  limit: intParam(1).optional().meta({ description: 'At most this many events' }),
  after: afterParam,
  codec: z
    .enum(['null', 'deflate'])
    .default('null')
    .meta({ description: `Block compression of ${AVRO} output` }),
})

const eventView = z
  .looseObject({
    eventId: z.uuid(),
    type: eventType,
    key: z.string(),
    sequence: z.number().int(),
    occurredAt: z.number().int().meta({ description: 'Epoch milliseconds' }),
    recordedAt: z.number().int().meta({ description: 'Epoch milliseconds' }),
  })
  .meta({ description: 'One event (one NDJSON line): the envelope, then its own fields' })

/** Event history from the log, streamed as NDJSON or as an Avro object container file. */
export function eventRoutes(history: EventHistory, registry: SchemaReads): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/events',
      summary:
        'Event history in log order, streamed (NDJSON, or Avro with Accept: application/avro)',
      tag: 'events',
      query: eventsQuery,
      responses: {
        200: {
          description:
            `One JSON event per line; with \`Accept: ${AVRO}\` an Avro object container file ` +
            'whose schema is the union of the selected event records (the record itself when one ' +
            'type is selected). Avro output leaves out event types that have no Avro schema. ' +
            CAPPED,
          schema: eventView,
          contentType: NDJSON,
        },
        400: { description: 'Bad query', schema: problem },
        404: { description: 'The log holds no event `after` names', schema: problem },
        406: { description: `Accept allows neither ${NDJSON} nor ${AVRO}`, schema: problem },
        503: {
          description:
            'Too many streams open (on the instance or from this client), no read connection ' +
            'in time, the read ran past its deadline, or the database is down; Retry-After says when to retry',
          schema: problem,
        },
      },
      handle: async (ctx, { query: q }) => {
        if (q.from !== undefined && q.to !== undefined && q.from > q.to) {
          throw new MillstreamError('BAD_REQUEST', 'query.from: must not be after query.to')
        }
        const format = ctx.accepts(NDJSON, AVRO)
        if (format === false) ctx.throw(406, `this resource is served as ${NDJSON} or ${AVRO}`)
        const filter = { key: q.key, from: q.from, to: q.to, limit: q.limit, after: q.after }
        if (format === AVRO) {
          const container = avroContainer(registry, q.type)
          const encoder = new avro.streams.BlockEncoder(container.type, {
            codec: q.codec,
            writeHeader: 'always',
          })
          const source = await history.open({ ...filter, types: container.types }, ctx.ip)
          const next = nextLink(ctx, source, q.limit)
          stream(ctx, AVRO, pipeline(source, eachRecord(container.toRecord), encoder, next, ignore))
        } else {
          const source = await history.open({ ...filter, types: q.type }, ctx.ip)
          streamNdjson(ctx, source, q.limit)
        }
      },
    }),
  ]
}

/**
 * Errors reach the last stream too, and Koa's own pipeline to the response aborts it, so the
 * client sees a truncated response rather than a complete-looking one.
 */
const ignore = (): void => undefined

/** Answers with the events of `source` as NDJSON; `limit` is what the caller asked for. */
export function streamNdjson(ctx: Context, source: HistoryStream, limit?: number): void {
  stream(ctx, NDJSON, pipeline(source, ndjsonLines(), nextLink(ctx, source, limit), ignore))
}

function stream(ctx: Context, type: string, body: Readable): void {
  ctx.status = 200
  ctx.type = type
  ctx.set('Cache-Control', 'no-store')
  ctx.set('Trailer', 'Link')
  ctx.body = body
}

/**
 * Passes the answer through and, once it has ended cut short by a cap, adds the `Link` trailer
 * naming the same query after its last event (the rest of `limit`, when one was asked for).
 */
function nextLink(ctx: Context, source: HistoryStream, limit?: number): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, chunk)
    },
    flush(callback) {
      const after = source.continueAfter
      if (after !== undefined) {
        const query = new URLSearchParams(ctx.querystring)
        query.set('after', after)
        if (limit !== undefined) query.set('limit', String(limit - (source.rows ?? 0)))
        ctx.res.addTrailers({ Link: `<${ctx.path}?${query.toString()}>; rel="next"` })
      }
      callback()
    },
  })
}

/** Batches of stored JSON texts to NDJSON bytes (stored JSON never holds a raw newline). */
function ndjsonLines(): Transform {
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1,
    transform(batch: string[], _encoding, callback) {
      callback(null, `${batch.join('\n')}\n`)
    },
  })
}

function eachRecord(toRecord: (json: string) => unknown): Transform {
  return new Transform({
    objectMode: true,
    writableHighWaterMark: 1,
    transform(batch: string[], _encoding, callback) {
      try {
        for (const json of batch) this.push(toRecord(json))
        callback()
      } catch (err) {
        callback(err as Error)
      }
    },
  })
}

type AvroContainer = { types: string[]; type: avro.Type; toRecord: (json: string) => unknown }

/**
 * A container file holds one schema: the selected event records (all with a schema when none is
 * selected) as a union, whose values avsc takes wrapped as `{ fullName: record }`.
 */
function avroContainer(registry: SchemaReads, selected?: EventType[]): AvroContainer {
  const schemas = selected ? selected.map((t) => schemaOf(registry, t)) : registry.all()
  const only = schemas.length === 1 ? schemas[0] : undefined
  if (only) {
    return {
      types: [only.name],
      type: only.type,
      toRecord: (json) => avroRecordOf(JSON.parse(json) as DomainEvent),
    }
  }
  const union = avro.Type.forSchema(schemas.map((s) => s.type) as unknown as avro.Schema, {
    wrapUnions: true,
  })
  const branches = new Map(schemas.map((s) => [s.name, s.type.branchName ?? s.name]))
  return {
    types: schemas.map((s) => s.name),
    type: union,
    toRecord: (json) => {
      const event = JSON.parse(json) as DomainEvent
      return { [branches.get(event.type) ?? event.type]: avroRecordOf(event) }
    },
  }
}

function schemaOf(registry: SchemaReads, type: EventType): EventSchema {
  const schema = registry.all().find((s) => s.name === type)
  if (!schema) {
    throw new MillstreamError(
      'BAD_REQUEST',
      `query.type: ${type} has no Avro schema; ask for ${NDJSON} instead`,
    )
  }
  return schema
}
