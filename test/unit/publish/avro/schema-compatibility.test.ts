import avro from 'avsc'
import { INGEST_SCHEMAS_DIR } from '../../../../src/cluster/ingest-record'
import type { DeadLetterRecorded, DowntimeClassified } from '../../../../src/domain/events'
import { checkCompatibility } from '../../../../src/publish/avro/compatibility'
import { avroRecordOf } from '../../../../src/publish/avro/event-records'
import {
  SCHEMAS_DIR,
  SchemaRegistry,
  type EventSchema,
} from '../../../../src/publish/avro/schema-registry'
import { decodeSingleObject, encodeSingleObject } from '../../../../src/publish/avro/single-object'

/** Every folder of schemas with released versions: the events' and the ingest topic's. */
const FOLDERS: [string, string][] = [
  ['events', SCHEMAS_DIR],
  ['ingest', INGEST_SCHEMAS_DIR],
]

/** A folder's registry, its history, and each current schema paired with its released versions. */
function folder(dir: string) {
  const registry = SchemaRegistry.fromDirectory(dir)
  const history = SchemaRegistry.history(dir)
  const current = registry.all()
  const pairs: [string, number, EventSchema, EventSchema][] = current.flatMap((schema) =>
    (history.get(schema.name) ?? []).map((old): [string, number, EventSchema, EventSchema] => [
      schema.name,
      old.version,
      schema,
      old,
    ]),
  )
  return { registry, history, current, pairs }
}

const { registry, history } = folder(SCHEMAS_DIR)

const base = {
  type: 'record',
  name: 'Sample',
  namespace: 'millstream.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'count', type: 'long' },
  ],
}
const withFields = (...fields: unknown[]) =>
  avro.Type.forSchema({ ...base, fields: [...base.fields, ...fields] } as avro.Schema)
const previous = withFields()

describe.each(FOLDERS)('Avro schema evolution of the %s schemas', (_folder, dir) => {
  const { history, current, pairs } = folder(dir)

  it('has at least one current schema and one released version', () => {
    expect(current.length).toBeGreaterThan(0)
    expect(pairs.length).toBeGreaterThanOrEqual(current.length)
  })

  it('keeps every current schema as its latest released version in history/', () => {
    for (const schema of current) {
      const released = history.get(schema.name)
      expect(released?.at(-1)?.fingerprintHex).toBe(schema.fingerprintHex)
    }
  })

  it('has a current schema for every event type that has a history', () => {
    expect([...history.keys()].sort()).toEqual(current.map((s) => s.name).sort())
  })

  it.each(pairs)(
    '%s: the current schema reads data written with v%i, and the other way round',
    (_name, _version, schema, old) => {
      expect(checkCompatibility(schema.type, old.type)).toEqual({
        backward: true,
        forward: true,
        problems: [],
      })
    },
  )
})

describe('Avro schema evolution (backward and forward compatible only)', () => {
  it('decodes PartProduced written with v0 (without idealCycleSeconds) as the current version', () => {
    const v0 = history.get('PartProduced')?.find((s) => s.version === 0)
    if (!v0) throw new Error('history/PartProduced/v0.avsc is missing')
    const written: unknown = v0.type.random()
    const { schema: writer, record } = decodeSingleObject(encodeSingleObject(v0, written), (fp) =>
      registry.byFingerprint(fp),
    )
    expect(writer.fingerprintHex).toBe(v0.fingerprintHex)
    const latest = registry.get('PartProduced')
    const read = latest.type.fromBuffer(
      writer.type.toBuffer(record),
      latest.type.createResolver(writer.type),
    ) as Record<string, unknown>
    expect(read).toEqual({ ...(written as object), idealCycleSeconds: null })
  })

  it('reads a MachineStateChanged to offline with v1 (before offline) as unknown, and v1 data as it was', () => {
    const v1 = history.get('MachineStateChanged')?.find((s) => s.version === 1)
    if (!v1) throw new Error('history/MachineStateChanged/v1.avsc is missing')
    const latest = registry.get('MachineStateChanged')
    const changed = {
      eventId: '4b8f2c0e-3a5e-4a47-9d62-1f0c1f7f9a10',
      type: 'MachineStateChanged',
      key: '7',
      sequence: 3,
      occurredAt: Date.parse('2023-12-10T00:00:00.000Z'),
      recordedAt: Date.parse('2023-12-10T00:00:00.040Z'),
      machineId: '7',
      state: 'offline',
      previousState: 'running',
      reason: 'NDEATH',
    }
    // An old reader maps the symbol it does not know to the enum's default.
    const old = v1.type.fromBuffer(
      latest.type.toBuffer(changed),
      v1.type.createResolver(latest.type),
    ) as Record<string, unknown>
    expect(old).toEqual({ ...changed, state: 'unknown' })
    const written = { ...changed, state: 'maintenance' }
    const read = latest.type.fromBuffer(
      v1.type.toBuffer(written),
      latest.type.createResolver(v1.type),
    ) as Record<string, unknown>
    expect(read).toEqual(written)
  })

  it('reports a field added without a default as not backward compatible', () => {
    const result = checkCompatibility(withFields({ name: 'shift', type: 'string' }), previous)
    expect(result.backward).toBe(false)
    expect(result.forward).toBe(true)
    expect(result.problems).toEqual([expect.stringMatching(/^backward: .*default-less.*shift/)])
  })

  it('accepts a field added with a default in both directions', () => {
    const added = withFields({ name: 'shift', type: ['null', 'string'], default: null })
    expect(checkCompatibility(added, previous)).toMatchObject({ backward: true, forward: true })
  })

  it('reports a removed field without a default as not forward compatible', () => {
    const removed = avro.Type.forSchema({ ...base, fields: [base.fields[0]] } as avro.Schema)
    const result = checkCompatibility(removed, previous)
    expect(result.backward).toBe(true)
    expect(result.forward).toBe(false)
    expect(result.problems).toEqual([expect.stringMatching(/^forward: .*default-less.*count/)])
  })

  it('reports a changed field type as incompatible both ways', () => {
    const changed = avro.Type.forSchema({
      ...base,
      fields: [base.fields[0], { name: 'count', type: 'string' }],
    } as avro.Schema)
    const result = checkCompatibility(changed, previous)
    expect(result).toMatchObject({ backward: false, forward: false })
    expect(result.problems).toHaveLength(2)
  })

  it('reports an enum symbol added without a default as not forward compatible', () => {
    const state = (symbols: string[]) =>
      withFields({ name: 'state', type: { type: 'enum', name: 'State', symbols } })
    const result = checkCompatibility(state(['a', 'b', 'c']), state(['a', 'b']))
    expect(result).toMatchObject({ backward: true, forward: false })
  })
})

describe.each(FOLDERS)('Avro round trip of every %s schema version', (_folder, dir) => {
  const { registry, current } = folder(dir)
  const versions: [string, string, EventSchema][] = [
    ...current.map((s): [string, string, EventSchema] => [s.name, 'current', s]),
    ...registry
      .historical()
      .map((s): [string, string, EventSchema] => [s.name, `v${s.version}`, s]),
  ]

  it.each(versions)(
    '%s (%s): single-object encodes a record and decodes it by fingerprint',
    (_name, _version, schema) => {
      for (let i = 0; i < 10; i++) {
        const record: unknown = schema.type.random()
        const decoded = decodeSingleObject(encodeSingleObject(schema, record), (fp) =>
          registry.byFingerprint(fp),
        )
        expect(decoded.schema.fingerprintHex).toBe(schema.fingerprintHex)
        expect(decoded.record).toEqual(record)
      }
    },
  )
})

describe('Avro round trip of the event schemas', () => {
  it('encodes a DeadLetter event as the dead-letter store records it, payload as bytes', () => {
    const event: DeadLetterRecorded = {
      eventId: '4b8f2c0e-3a5e-4a47-9d62-1f0c1f7f9a10',
      type: 'DeadLetter',
      key: 'factory/machines/7/production',
      sequence: 12,
      occurredAt: Date.parse('2023-12-10T00:00:00.000Z'),
      recordedAt: Date.parse('2023-12-10T00:00:00.040Z'),
      source: 'factory/machines/7/production',
      payloadBase64: Buffer.from('{"not":"json').toString('base64'),
      reason: 'invalid JSON',
      receivedAt: Date.parse('2023-12-10T00:00:00.000Z'),
    }
    const schema = registry.get('DeadLetter')
    const { record } = decodeSingleObject(encodeSingleObject(schema, avroRecordOf(event)), (fp) =>
      registry.byFingerprint(fp),
    )
    expect(record).toMatchObject({ key: event.source, payload: Buffer.from('{"not":"json') })
  })

  it('encodes a DowntimeClassified event as the classification writes it to the log', () => {
    const event: DowntimeClassified = {
      eventId: '5d3c9a43-7f0e-4a55-9c1b-2b0f3f1e4a11',
      type: 'DowntimeClassified',
      key: '1234-3',
      sequence: 1,
      occurredAt: Date.parse('2026-12-08T10:00:00.000Z'),
      recordedAt: Date.parse('2026-12-08T10:00:00.020Z'),
      recordId: '1234-3',
      machineId: 'press-1',
      lineId: 'presses',
      reasonCode: 'SETUP',
      classifiedBy: 'supervisor',
    }
    const schema = registry.get('DowntimeClassified')
    const { record } = decodeSingleObject(encodeSingleObject(schema, avroRecordOf(event)), (fp) =>
      registry.byFingerprint(fp),
    )
    expect(record).toMatchObject({ key: '1234-3', reasonCode: 'SETUP', classifiedBy: 'supervisor' })
  })

  it('finds no schema for an unknown fingerprint', () => {
    expect(registry.byFingerprint(Buffer.alloc(8))).toBeUndefined()
  })
})
