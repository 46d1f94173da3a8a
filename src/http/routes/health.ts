import type { Registry } from 'prom-client'
import { z } from 'zod'
import type { Check } from '../../lifecycle.js'
import type { ApiRoute } from '../route.js'

export type { Check }
export type ReadinessProbe = () => Promise<Record<string, Check>>

const report = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.unknown()),
})

/** Liveness, readiness and Prometheus metrics (no /api/v1 prefix). */
export function healthRoutes(readiness: ReadinessProbe, registry: Registry): ApiRoute[] {
  return [
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics: messages in/out, commits, actors, relay lag, HTTP latency',
      tag: 'operations',
      responses: {
        200: {
          description: 'Prometheus text format',
          schema: z.string(),
          contentType: 'text/plain',
        },
      },
      handle: async (ctx) => {
        ctx.type = registry.contentType
        ctx.body = await registry.metrics()
      },
    },
    {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process is up',
      tag: 'operations',
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handle: (ctx) => {
        ctx.body = { status: 'ok' }
        return Promise.resolve()
      },
    },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: PostgreSQL, MQTT and Kafka reachable, relay lag',
      tag: 'operations',
      responses: {
        200: { description: 'Ready', schema: report },
        503: { description: 'Not ready', schema: report, contentType: 'application/json' },
      },
      handle: async (ctx) => {
        const checks = await readiness()
        const ok = Object.values(checks).every((c) => c.ok)
        ctx.status = ok ? 200 : 503
        ctx.body = { status: ok ? 'ok' : 'unavailable', checks }
      },
    },
  ]
}
