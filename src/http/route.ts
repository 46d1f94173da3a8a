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
  /** Status → response body schema (`null` for a body described only in prose). */
  responses: Record<number, { description: string; schema: z.ZodType | null; contentType?: string }>
  handle(
    ctx: Context,
    input: { params: Record<string, unknown>; query: Record<string, unknown>; body?: unknown },
  ): Promise<void>
}

/** Koa-router path syntax for an OpenAPI path. */
export function koaPath(openApiPath: string): string {
  return openApiPath.replace(/\{(\w+)\}/g, ':$1')
}
