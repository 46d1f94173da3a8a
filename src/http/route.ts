import type { Context } from 'koa'
import type { z } from 'zod'
import type { Scope } from './api-key-spec.js'
import type { Caller } from './api-keys.js'

/** One HTTP operation: the router serves it and the OpenAPI document describes it, from this. */
export type ApiRoute = {
  method: 'get' | 'post' | 'put' | 'delete'
  /** OpenAPI-style path, relative to the router's prefix, e.g. `/machines/{machineId}`. */
  path: string
  summary: string
  tag: string
  params?: z.ZodObject
  query?: z.ZodObject
  /** JSON request body schema (validated; unknown fields are rejected by strict schemas). */
  body?: z.ZodType
  /**
   * The scope an API key needs (`Authorization: Bearer <key>`); none: open to anyone. Reads
   * get `read` when the service is told reads need a key.
   */
  scope?: Scope
  /** Each request past authentication leaves one audit record, with this action and target. */
  audit?: RouteAudit<UntypedInput>
  /**
   * Status → response body schema (`null` for a body described only in prose), and the
   * operations a response leads to (OpenAPI links). The statuses the mount itself answers
   * (400, 401, 403, 413, 415) are declared by the document for every route they can happen on.
   */
  responses: Record<number, ApiResponse>
  /** Called with the input the mount parsed: `{}` for absent params or query, no body. */
  handle(ctx: Context, input: UntypedInput): Promise<void>
}

/** Input as the mount hands it over: parsed, but typed alike for every route. */
export type UntypedInput = {
  params: Record<string, unknown>
  query: Record<string, unknown>
  body?: unknown
  /** The API key the request was made with, on routes that need one. */
  caller?: Caller
}

/** What an audit record names: the action, and its target once the input is parsed. */
export type RouteAudit<I> = {
  action: string
  /** The target from the parsed input (the request's path when the input did not parse). */
  target?: (input: I) => string
}

/**
 * A schema's parsed output, as `z.output` but written as an indexed access: inside a generic
 * helper TypeScript still reads its properties through the schema's constraint.
 */
export type Parsed<S extends z.ZodType> = S['_zod']['output']

/** What a handler receives: the output of each schema the route declares. */
export type RouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> = {
  params: Parsed<P>
  query: Parsed<Q>
  body: Parsed<B>
  caller?: Caller
}

/** An {@link ApiRoute} whose handler is typed by its own schemas. */
export type RouteDefinition<
  P extends z.ZodObject,
  Q extends z.ZodObject,
  B extends z.ZodType,
> = Omit<ApiRoute, 'params' | 'query' | 'body' | 'handle' | 'audit'> & {
  params?: P
  query?: Q
  body?: B
  audit?: RouteAudit<RouteInput<P, Q, B>>
  handle(ctx: Context, input: RouteInput<P, Q, B>): Promise<void>
}

/**
 * A route whose handler gets the parsed `z.output` of its `params`, `query` and `body`, so no
 * handler casts its input. The route keeps the schemas, so the OpenAPI document still comes from
 * the definition the router serves. The defaults stand for an absent schema and type what the
 * mount passes then: `{}` for params and query, no body.
 */
export function defineRoute<
  P extends z.ZodObject = z.ZodObject<Record<never, never>>,
  Q extends z.ZodObject = z.ZodObject<Record<never, never>>,
  B extends z.ZodType = z.ZodUndefined,
>(definition: RouteDefinition<P, Q, B>): ApiRoute {
  const { audit, ...rest } = definition
  // The one cast: the mount parsed this input with these very schemas, which TypeScript
  // cannot follow through the route list's erased type.
  const typed = (input: UntypedInput) => input as RouteInput<P, Q, B>
  const target = audit?.target
  return {
    ...rest,
    ...(audit
      ? {
          audit: {
            action: audit.action,
            ...(target ? { target: (input: UntypedInput) => target(typed(input)) } : {}),
          },
        }
      : {}),
    handle: (ctx, input) => definition.handle(ctx, typed(input)),
  }
}

export type ApiResponse = {
  description: string
  schema: z.ZodType | null
  contentType?: string
  links?: Record<string, ApiLink>
}

/** An operation a response leads to, with its parameters as OpenAPI runtime expressions. */
export type ApiLink = {
  method: ApiRoute['method']
  path: string
  /** Parameter → expression, e.g. `$request.path.partId` or `$response.body#/items/0/partId`. */
  parameters: Record<string, string>
  description: string
}

/** Koa-router path syntax for an OpenAPI path. */
export function koaPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1')
}
