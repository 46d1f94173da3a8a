import { execFileSync } from 'node:child_process'
import { pino } from 'pino'
import { SchemaRegistry } from '../../../src/publish/avro/schema-registry'
import { ApiKeys } from '../../../src/http/api-keys'
import { RateLimiter } from '../../../src/http/rate-limit'
import { createHttpApp } from '../../../src/http/app'
import { createMetrics } from '../../../src/metrics'
import type { HttpDeps } from '../../../src/http/app'
import { serve } from '../../support/http'

describe('the served OpenAPI document', () => {
  it('is valid OpenAPI 3 by an independent validator', async () => {
    const deps = {
      metrics: createMetrics(),
      bus: { publish: () => Promise.resolve() },
      apiKeys: new ApiKeys([]),
      topicPrefix: 'factory',
      ingestLimit: new RateLimiter(10, 10),
      machines: {},
      catalog: {},
      deadLetters: {},
      schemas: SchemaRegistry.fromDirectory(),
      eventHistory: {},
      oeeOf: () => Promise.resolve(undefined),
      oeeWindowMs: 3_600_000,
      readiness: () => Promise.resolve({}),
      log: pino({ level: 'silent' }),
      readsNeedKey: false,
      version: 'test',
    } as unknown as HttpDeps
    const server = await serve(createHttpApp(deps))
    try {
      const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Record<
        string,
        unknown
      >
      expect(doc.openapi).toBe('3.0.3')
      expect(validateElsewhere(doc)).toEqual({ valid: true })
    } finally {
      await server.close()
    }
  })
})

/**
 * @seriousme/openapi-schema-validator checks against the official OpenAPI JSON schemas. It is
 * published as ESM only, which jest's CommonJS runtime cannot load: run it in plain Node.
 */
function validateElsewhere(doc: unknown): { valid: boolean; errors?: unknown } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator'
    let input = ''
    for await (const chunk of process.stdin) input += chunk
    const result = await new Validator().validate(JSON.parse(input))
    process.stdout.write(JSON.stringify(result.valid ? { valid: true } : { valid: false, errors: result.errors }))`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(doc),
    cwd: process.cwd(),
  })
  return JSON.parse(out.toString()) as { valid: boolean; errors?: unknown }
}
