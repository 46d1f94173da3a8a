import type { Context } from 'koa'
import type { z } from 'zod'

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
  /** Requires `Authorization: Bearer <API key>`. */
  auth?: boolean
  /**
   * Status → response body schema (`null` for a body described only in prose), and the
   * operations a response leads to (OpenAPI links). The statuses the mount itself answers
   * (400, 401, 403, 413, 415) are declared by the document for every route they can happen on.
   */
  responses: Record<number, ApiResponse>
  handle(
    ctx: Context,
    input: { params: Record<string, unknown>; query: Record<string, unknown>; body?: unknown },
  ): Promise<void>
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
