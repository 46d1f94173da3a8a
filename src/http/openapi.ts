import { z } from 'zod'
import { MAX_BODY_BYTES } from './json-body.js'
import type { ApiResponse, ApiRoute } from './route.js'
import { problem } from './schemas.js'

type RouteGroup = { prefix: string; routes: ApiRoute[] }

const toJson = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' })

/** Builds the OpenAPI 3 document from the same route definitions the router serves. */
export function buildOpenApi(groups: RouteGroup[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const { prefix, routes } of groups) {
    for (const route of routes) {
      const key = `${prefix}${route.path}`
      paths[key] ??= {}
      paths[key][route.method] = operation(route)
    }
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'millstream API',
      version,
      description: 'Live state, history and commands for factory machines.',
    },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key from API_KEYS, with scopes read, command, ingest, publish, admin; ' +
            'each operation names the one it needs in x-required-scope',
        },
      },
    },
    paths,
  }
}

/** What the mount answers before any handler runs, on the routes where it can. */
function edgeResponses(route: ApiRoute): Record<number, ApiResponse> {
  const out: Record<number, ApiResponse> = {}
  const bad = (status: number, description: string) => {
    out[status] = { description, schema: problem }
  }
  if (route.params || route.query || route.body)
    bad(400, 'Bad request: a parameter or the body does not match its schema')
  if (route.scope) {
    bad(401, 'No API key (`Authorization: Bearer <key>`), or not a known one')
    bad(403, `The API key lacks scope \`${route.scope}\``)
  }
  if (route.body) {
    bad(413, `Body larger than ${MAX_BODY_BYTES} bytes`)
    bad(415, 'Body not `application/json`')
  }
  return out
}

/** The operationId of a route, e.g. `getMachinesByMachineIdOee`. */
function operationId(method: string, path: string): string {
  const camel = path
    .replace(/\{(\w+)\}/g, 'By_$1')
    .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))
  return `${method}${camel}`
}

function operation(route: ApiRoute): Record<string, unknown> {
  const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')]
  const declared = { ...edgeResponses(route), ...route.responses }
  const responses = Object.fromEntries(
    Object.entries(declared).map(([status, r]) => [
      status,
      {
        description: r.description,
        ...(r.schema
          ? {
              content: {
                [r.contentType ??
                (Number(status) >= 400 ? 'application/problem+json' : 'application/json')]: {
                  schema: toJson(r.schema, 'output'),
                },
              },
            }
          : {}),
        ...(r.links
          ? {
              links: Object.fromEntries(
                Object.entries(r.links).map(([name, l]) => [
                  name,
                  {
                    operationId: operationId(l.method, l.path),
                    parameters: l.parameters,
                    description: l.description,
                  },
                ]),
              ),
            }
          : {}),
      },
    ]),
  )
  return {
    summary: route.summary,
    tags: [route.tag],
    // Scopes are listed for every scheme type from OpenAPI 3.1; 3.0 tools read the extension.
    ...(route.scope ? { security: [{ apiKey: [] }], 'x-required-scope': route.scope } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toJson(route.body, 'input') } },
          },
        }
      : {}),
    operationId: operationId(route.method, route.path),
    ...(parameters.length ? { parameters } : {}),
    responses,
  }
}

function parametersOf(
  schema: z.ZodObject | undefined,
  where: 'path' | 'query',
): Record<string, unknown>[] {
  if (!schema) return []
  return Object.entries(schema.shape).map(([name, field]) => {
    const json = toJson(field as z.ZodType, 'input') as { description?: string }
    return {
      name,
      in: where,
      required: where === 'path' || !(field as z.ZodType).safeParse(undefined).success,
      ...(json.description ? { description: json.description } : {}),
      schema: json,
    }
  })
}
