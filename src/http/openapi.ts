import { z } from 'zod'
import type { ApiRoute } from './route.js'

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
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from API_KEYS' },
      },
    },
    paths,
  }
}

function operation(route: ApiRoute): Record<string, unknown> {
  const parameters = [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')]
  const responses = Object.fromEntries(
    Object.entries(route.responses).map(([status, r]) => [
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
      },
    ]),
  )
  return {
    summary: route.summary,
    tags: [route.tag],
    ...(route.auth ? { security: [{ apiKey: [] }] } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: toJson(route.body, 'input') } },
          },
        }
      : {}),
    operationId: `${route.method}${route.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
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
