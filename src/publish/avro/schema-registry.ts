import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import avro from 'avsc'
import { crc64Avro, fingerprintBytes } from './crc64-avro.js'
import { projectPath } from '../../project-root.js'

/** Where the `.avsc` files live. */
export const SCHEMAS_DIR = projectPath('schemas', 'avro')

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

/** A released version of a schema, kept as `history/<Name>/v<N>.avsc` under the schema folder. */
export type HistoricalSchema = EventSchema & { version: number }

const HISTORY_FILE = /^v(\d+)\.avsc$/

/**
 * The current event schemas, loaded and parsed once at start-up and looked up by record name,
 * and their released versions, so a writer schema is found by fingerprint whichever it was.
 */
export class SchemaRegistry {
  private readonly byName = new Map<string, EventSchema>()
  private readonly byHex = new Map<string, EventSchema>()
  private readonly released: HistoricalSchema[]

  /** `history` are the released versions, so data written with any of them still decodes. */
  constructor(schemas: EventSchema[], history: HistoricalSchema[] = []) {
    for (const s of schemas) this.byName.set(s.name, s)
    this.released = [...history].sort(
      (a, b) => a.name.localeCompare(b.name) || a.version - b.version,
    )
    // A released version identical to the current one resolves to the current one.
    for (const s of [...schemas, ...this.released])
      if (!this.byHex.has(s.fingerprintHex)) this.byHex.set(s.fingerprintHex, s)
  }

  /** The current schemas (the `.avsc` files directly in `dir`) and their released versions. */
  static fromDirectory(dir = SCHEMAS_DIR): SchemaRegistry {
    const files = readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith('.avsc'))
      .map((f) => f.name)
    return new SchemaRegistry(
      files.map((f) => parseSchema(readJson(path.join(dir, f)))),
      [...SchemaRegistry.history(dir).values()].flat(),
    )
  }

  /** Record name → its released versions from `dir/history/`, oldest first. */
  static history(dir = SCHEMAS_DIR): Map<string, HistoricalSchema[]> {
    const root = path.join(dir, 'history')
    const byName = new Map<string, HistoricalSchema[]>()
    if (!existsSync(root)) return byName
    for (const folder of readdirSync(root, { withFileTypes: true })) {
      if (!folder.isDirectory()) continue
      const versions = readdirSync(path.join(root, folder.name)).map((file) => {
        const where = path.join(root, folder.name, file)
        const version = HISTORY_FILE.exec(file)?.[1]
        if (version === undefined) throw new Error(`${where}: expected a v<N>.avsc file`)
        const schema = { ...parseSchema(readJson(where)), version: Number(version) }
        if (schema.name !== folder.name) throw new Error(`${where}: holds ${schema.name}`)
        return schema
      })
      byName.set(
        folder.name,
        versions.sort((a, b) => a.version - b.version),
      )
    }
    return byName
  }

  get(name: string): EventSchema {
    const s = this.byName.get(name)
    if (!s) throw new Error(`no Avro schema for event type ${name}`)
    return s
  }

  /** The current schemas. */
  all(): EventSchema[] {
    return [...this.byName.values()]
  }

  /** Every released version, by record name then version. */
  historical(): HistoricalSchema[] {
    return [...this.released]
  }

  /** The writer schema of a single-object message, current or released (`decodeSingleObject`'s lookup). */
  byFingerprint(fingerprint: Buffer): EventSchema | undefined {
    return this.byHex.get(fingerprint.toString('hex'))
  }
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'))
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
