import { pino } from 'pino'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { ApiKeys } from '../../src/http/api-keys'
import type { HttpDeps } from '../../src/http/app'
import { RateLimiter } from '../../src/http/rate-limit'
import { createMetrics } from '../../src/metrics'
import type { CatalogQueries } from '../../src/read/catalog-queries'
import type { PgDeadLetters } from '../../src/journal/dead-letters'
import type { EventHistory } from '../../src/read/event-history'
import type { MachineQueries } from '../../src/read/machine-queries'

/** The HTTP app's dependencies for routing tests: stores that answer nothing, one API key. */
export function httpDeps(overrides: Partial<HttpDeps> = {}): HttpDeps {
  const nothing = {
    get: () => Promise.resolve(undefined),
    list: () => Promise.resolve([]),
  }
  return {
    metrics: createMetrics(),
    bus: { publish: () => Promise.resolve() },
    apiKeys: new ApiKeys(['s3cret']),
    topicPrefix: 'factory',
    ingestLimit: new RateLimiter(1000, 1000),
    machines: nothing as unknown as MachineQueries,
    catalog: nothing as unknown as CatalogQueries,
    deadLetters: nothing as unknown as PgDeadLetters,
    schemas: SchemaRegistry.fromDirectory(),
    eventHistory: {} as EventHistory,
    oeeOf: () => Promise.resolve(undefined),
    oeeWindowMs: 3_600_000,
    readiness: () => Promise.resolve({ postgres: { ok: true } }),
    readsNeedKey: false,
    log: pino({ level: 'silent' }),
    version: 'test',
    ...overrides,
  }
}
