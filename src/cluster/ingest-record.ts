import { hostname } from 'node:os'
import { projectPath } from '../project-root.js'
import { SchemaRegistry, type EventSchema } from '../publish/avro/schema-registry.js'
import { decodeSingleObject, encodeSingleObject } from '../publish/avro/single-object.js'

/** Where the ingest topic's schema and its released versions live. */
export const INGEST_SCHEMAS_DIR = projectPath('schemas', 'avro', 'ingest')

/** One MQTT message on the ingest topic. */
export type IngestRecord = {
  topic: string
  payload: Buffer
  receivedAt: number
  bridgedBy: string
}

/** This process, as `bridgedBy` names it. */
export const THIS_BRIDGE = `${hostname()}:${process.pid}`

/**
 * Avro single-object encoding of ingest records: the writer's fingerprint travels with each
 * record, so process instances read what an older or newer ingest instance wrote.
 */
export class IngestRecordCodec {
  private readonly current: EventSchema
  private readonly resolvers = new Map<string, ReturnType<EventSchema['type']['createResolver']>>()

  constructor(private readonly registry = SchemaRegistry.fromDirectory(INGEST_SCHEMAS_DIR)) {
    this.current = registry.get('IngestMessage')
  }

  encode(record: IngestRecord): Buffer {
    return encodeSingleObject(this.current, record)
  }

  /** Throws on bytes that are not an ingest record of a known version. */
  decode(value: Buffer): IngestRecord {
    const { schema, record } = decodeSingleObject(value, (fp) => this.registry.byFingerprint(fp))
    if (schema.name !== this.current.name) throw new Error(`not an ingest record: ${schema.name}`)
    if (schema.fingerprintHex === this.current.fingerprintHex) return record as IngestRecord
    // Written with another version: read again through a resolver into the current shape.
    let resolver = this.resolvers.get(schema.fingerprintHex)
    if (!resolver) {
      resolver = this.current.type.createResolver(schema.type)
      this.resolvers.set(schema.fingerprintHex, resolver)
    }
    return this.current.type.fromBuffer(value.subarray(10), resolver) as IngestRecord
  }
}
