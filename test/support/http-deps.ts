import { PlantModel } from '../../src/plant/plant-model'
import { Readable } from 'node:stream'
import { pino } from 'pino'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { parseApiKeyEntries } from '../../src/http/api-key-spec'
import { ApiKeys } from '../../src/http/api-keys'
import { MemoryAuditTrail } from '../doubles/audit-trail'
import type { HttpDeps } from '../../src/http/app'
import { RateLimiter } from '../../src/http/rate-limit'
import { createMetrics } from '../../src/metrics'
import type {
  CatalogReads,
  DeadLetterReads,
  EventHistory,
  LiveUpdates,
  MachineReads,
  PlantReads,
  SeriesReads,
} from '../../src/read/ports'

const none = () => Promise.resolve(undefined)
const empty = () => Promise.resolve([])

const noMachines: MachineReads = { get: none, list: empty, many: empty }
const emptyCatalog: CatalogReads = {
  part: none,
  parts: empty,
  material: none,
  materials: empty,
  manyParts: empty,
  manyMaterials: empty,
  priceHistory: empty,
}
const noDeadLetters: DeadLetterReads = { list: empty, many: empty, payload: none }
const emptyPlant: PlantReads = {
  tree: () => Promise.resolve(PlantModel.DEFAULT.tree([])),
  summary: () =>
    Promise.resolve({
      machines: 0,
      byState: { unknown: 0, running: 0, idle: 0, down: 0, maintenance: 0, offline: 0 },
      oee: { availability: null, performance: null, quality: null, oee: null },
      produced: 0,
      scrapped: 0,
      alerts: { silent: 0, scrapRate: 0 },
    }),
}
/** A stream that says hello and then stays quiet. */
const quietStream: LiveUpdates = {
  subscribe: (_request, sink) => {
    sink.send([{ event: 'hello', id: '0-0', data: '{"cursor":"0-0"}' }])
    return Promise.resolve({ close: () => sink.end() })
  },
}
const noSeries: SeriesReads = {
  telemetry: none,
  machineOee: none,
  plantOee: () =>
    Promise.resolve({
      t: [],
      produced: [],
      scrapped: [],
      plannedMs: [],
      runningMs: [],
      availability: [],
      performance: [],
      quality: [],
      oee: [],
    }),
}
const noEvents: EventHistory = { open: () => Promise.resolve(Readable.from([])) }

/** API keys from `API_KEYS` entries, as the service reads them (a bad entry fails the test). */
export function apiKeysOf(...entries: string[]): ApiKeys {
  const { keys, problems } = parseApiKeyEntries(entries)
  if (problems.length > 0) throw new Error(problems.join('; '))
  return new ApiKeys(keys)
}

/** The HTTP app's dependencies for routing tests: stores that answer nothing, one API key. */
export function httpDeps(overrides: Partial<HttpDeps> = {}): HttpDeps {
  return {
    metrics: createMetrics(),
    bus: { publish: () => Promise.resolve() },
    apiKeys: apiKeysOf('s3cret'),
    topicPrefix: 'factory',
    ingestLimit: new RateLimiter(1000, 1000),
    machines: noMachines,
    plant: emptyPlant,
    downtime: { list: () => Promise.resolve([]) },
    classifier: { classify: () => Promise.resolve(false) },
    kpis: { records: () => Promise.resolve({ stops: [], minutes: [], truncated: false }) },
    plantModel: () => PlantModel.DEFAULT,
    catalog: emptyCatalog,
    deadLetters: noDeadLetters,
    parkedRecords: { list: empty, requestRepublish: () => Promise.resolve(0) },
    schemas: SchemaRegistry.fromDirectory(),
    eventHistory: noEvents,
    stream: quietStream,
    series: noSeries,
    oeeOf: none,
    oeeWindowMs: 3_600_000,
    readiness: () => Promise.resolve({ postgres: { ok: true } }),
    audit: new MemoryAuditTrail(),
    readsNeedKey: false,
    log: pino({ level: 'silent' }),
    version: 'test',
    ...overrides,
  }
}
