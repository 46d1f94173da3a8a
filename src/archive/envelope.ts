import avro from 'avsc'
import type { DomainEvent } from '../domain/events.js'
import { avroRecordOf } from '../publish/avro/event-records.js'
import type { SchemaRegistry } from '../publish/avro/schema-registry.js'

/** One row of the event log as archived. */
export type LoggedEvent = {
  /** event_log.position (bigint, safe integer). */
  position: number
  /** event_log.tx_id (xid8) as decimal text. */
  txId: string
  /** event_log.recorded_at, epoch ms. */
  recordedAt: number
  idempotencyKey: string | null
  /** event_log.payload, the JSON the service wrote. */
  event: DomainEvent
}

/** The archive's record type, and how a logged event becomes one of its records. */
export type Envelope = {
  /** The schema as JSON, the `.avsc` texts inside it as written (docs and logical types kept). */
  schema: avro.Schema
  type: avro.Type
  toRecord(logged: LoggedEvent): unknown
}

/** The envelope as avsc decodes it: the event union wrapped as `{ fullName: record }`. */
type EnvelopeRecord = {
  position: number
  txId: string
  recordedAt: number
  idempotencyKey: string | null
  event: Record<string, Record<string, unknown>>
}

/**
 * One record per logged event, its `event` a union of every current event schema, so the
 * file's header carries them all and any Avro reader decodes it without millstream.
 */
export function envelopeFor(registry: SchemaRegistry): Envelope {
  // Sorted so the header, and with it the file, does not depend on directory order.
  const events = registry.all().sort((a, b) => a.name.localeCompare(b.name))
  const schema = {
    type: 'record',
    name: 'LoggedEvent',
    namespace: 'millstream.archive',
    doc: 'One row of the event log, archived before its partition was dropped.',
    fields: [
      { name: 'position', type: 'long', doc: 'Place in the log (event_log.position).' },
      {
        name: 'txId',
        type: 'string',
        doc: 'The committing transaction (event_log.tx_id, an xid8) as decimal text.',
      },
      {
        name: 'recordedAt',
        type: { type: 'long', logicalType: 'timestamp-millis' },
        doc: 'When the row was committed (event_log.recorded_at): what the partition is by.',
      },
      {
        name: 'idempotencyKey',
        type: ['null', 'string'],
        default: null,
        doc: 'The key of the input the event came from, if it had one.',
      },
      {
        name: 'event',
        type: events.map((s) => s.schema),
        doc: 'The event, in the schema of its type.',
      },
    ],
  } as unknown as avro.Schema
  // Two or more records in a union: avsc wraps its values by default, reading and writing.
  const type = avro.Type.forSchema(schema)
  const branches = new Map(events.map((s) => [s.name, s.type.branchName ?? s.name]))
  return {
    schema,
    type,
    toRecord: (logged) => {
      const branch = branches.get(logged.event.type)
      if (branch === undefined)
        throw new Error(`no Avro schema for event type ${logged.event.type}`)
      return {
        position: logged.position,
        txId: logged.txId,
        recordedAt: logged.recordedAt,
        idempotencyKey: logged.idempotencyKey,
        event: { [branch]: avroRecordOf(logged.event) },
      }
    },
  }
}

/** A decoded envelope record as the logged event it was written from. */
export function loggedEventOf(decoded: unknown): LoggedEvent {
  const record = decoded as EnvelopeRecord
  const [event] = Object.values(record.event)
  if (event === undefined) throw new Error(`the event at position ${record.position} is empty`)
  return {
    position: record.position,
    txId: record.txId,
    recordedAt: record.recordedAt,
    idempotencyKey: record.idempotencyKey,
    event: domainEventOf(event),
  }
}

/** The inverse of `avroRecordOf`: a plain object, with a dead letter's bytes as base64 again. */
function domainEventOf(record: Record<string, unknown>): DomainEvent {
  if (record.type === 'DeadLetter') {
    const { payload, ...rest } = record
    return { ...rest, payloadBase64: (payload as Buffer).toString('base64') } as DomainEvent
  }
  return { ...record } as DomainEvent
}
