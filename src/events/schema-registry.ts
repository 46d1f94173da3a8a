import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import avro from 'avsc'
import { crc64Avro, fingerprintBytes } from './crc64-avro.js'

/** Where the `.avsc` files live. */
export const SCHEMAS_DIR = path.resolve(__dirname, '../../schemas/avro')

/** One parsed event schema and its identity. */
export type EventSchema = {
  name: string
  type: avro.Type
  canonical: string
  /** The fingerprint bytes as hex, in header order (little-endian; what fastavro prints). */
  fingerprintHex: string
  /** The same fingerprint as the 8 little-endian bytes of the single-object encoding. */
  fingerprint: Buffer
  schema: unknown
}

/** The current event schemas, loaded and parsed once at start-up; looked up by record name. */
export class SchemaRegistry {
  private readonly byName = new Map<string, EventSchema>()

  constructor(schemas: EventSchema[]) {
    for (const s of schemas) this.byName.set(s.name, s)
  }

  static fromDirectory(dir = SCHEMAS_DIR): SchemaRegistry {
    const files = readdirSync(dir).filter((f) => f.endsWith('.avsc'))
    return new SchemaRegistry(
      files.map((f) => parseSchema(JSON.parse(readFileSync(path.join(dir, f), 'utf8')))),
    )
  }

  get(name: string): EventSchema {
    const s = this.byName.get(name)
    if (!s) throw new Error(`no Avro schema for event type ${name}`)
    return s
  }

  all(): EventSchema[] {
    return [...this.byName.values()]
  }
}

/** Parses one schema and computes its fingerprint. */
export function parseSchema(schema: unknown): EventSchema {
  const type = avro.Type.forSchema(schema as avro.Schema)
  // avsc's schema() without options is the Parsing Canonical Form, as an object.
  const canonical = JSON.stringify(type.schema())
  const fp = crc64Avro(Buffer.from(canonical, 'utf8'))
  return {
    name: (type.name ?? '').split('.').pop() ?? '',
    type,
    canonical,
    fingerprintHex: fingerprintBytes(fp).toString('hex'),
    fingerprint: fingerprintBytes(fp),
    schema,
  }
}
