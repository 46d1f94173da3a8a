import { z } from 'zod'
import type { EventSchema } from '../../publish/avro/schema-registry.js'
import type { SchemaReads } from '../../read/ports.js'
import type { ApiRoute } from '../route.js'

const schemaView = z
  .object({
    name: z.string().meta({ description: 'Record name, e.g. PartProduced' }),
    namespace: z.string(),
    fingerprint: z.string().meta({
      description:
        'CRC-64-AVRO of the Parsing Canonical Form, as the hex of the 8 bytes after C3 01 in a message',
      example: '798a5e264d6e4e77',
    }),
    fingerprintRabin: z.string().meta({
      description: 'The same fingerprint as an unsigned 64-bit decimal integer',
    }),
    current: z.boolean().meta({ description: 'The version millstream writes now' }),
    version: z
      .number()
      .int()
      .optional()
      .meta({ description: 'N of a released version (schemas/avro/history/<name>/vN.avsc)' }),
    schema: z.record(z.string(), z.unknown()).meta({ description: 'The Avro schema (JSON)' }),
  })
  .meta({ description: 'One version of an event schema' })

/** The Avro schemas of the events millstream publishes: current and released versions. */
export function schemaRoutes(registry: SchemaReads): ApiRoute[] {
  return [
    {
      method: 'get',
      path: '/schemas',
      summary: 'List the Avro event schemas, current and released versions, with fingerprints',
      tag: 'schemas',
      responses: {
        200: {
          description: 'Every schema version',
          schema: z.object({ items: z.array(schemaView) }),
        },
      },
      handle: (ctx) => {
        const items = [
          ...registry.historical().map((s) => view(s, false, s.version)),
          ...registry.all().map((s) => view(s, true)),
        ]
        items.sort((a, b) => a.name.localeCompare(b.name) || Number(a.current) - Number(b.current))
        ctx.body = { items }
        return Promise.resolve()
      },
    },
  ]
}

function view(s: EventSchema, current: boolean, version?: number): z.infer<typeof schemaView> {
  const fullName = s.type.name ?? s.name
  return {
    name: s.name,
    namespace: fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '',
    fingerprint: s.fingerprintHex,
    fingerprintRabin: s.fingerprint.readBigUInt64LE().toString(),
    current,
    ...(version === undefined ? {} : { version }),
    schema: s.schema as Record<string, unknown>,
  }
}
