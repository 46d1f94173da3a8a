import { z } from 'zod'
import { ENTITY_ID_SOURCE } from '../../domain/ids.js'
import type { EntityType } from '../../domain/events.js'
import { MillstreamError } from '../../errors.js'
import type { LiveUpdates } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { intParam, problem, storeUnavailable } from '../schemas.js'
import { SseSink } from '../sse.js'

const KINDS = ['machine', 'part', 'material', 'deadletter'] as const satisfies EntityType[]

/** `?x=a&x=b` and `?x=a,b` alike, each item matching `item` (a regex source). */
const listOf = (item: string, description: string) => {
  const text = z.string().regex(new RegExp(`^${item}(?:,${item})*$`), `a list of ${description}`)
  return z
    .union([text, z.array(text).min(1)])
    .meta({ description: `Only these ${description}, repeated or comma-separated` })
    .transform((v) => [v].flat().flatMap((s) => s.split(',')))
}

const machineList = listOf(ENTITY_ID_SOURCE, 'machines').transform((ids) => new Set(ids))

const kindList = listOf(`(?:${KINDS.join('|')})`, `kinds of update: ${KINDS.join(', ')}`)
  .pipe(z.array(z.enum(KINDS)))
  .transform((kinds) => new Set(kinds))

const streamQuery = z.strictObject({
  machine: machineList.optional(),
  kind: kindList.optional(),
  lastEventId: z
    .string()
    .max(64)
    .optional()
    .meta({
      description:
        'Resume after this message id, as the Last-Event-ID header does (the header wins). ' +
        'An id the log does not hold, or too far back, gets a `reset` event.',
    }),
  closeAfterMs: intParam(1, 86_400_000)
    .optional()
    .meta({ description: 'End the stream after this many ms (for scripts); open until then' }),
})

/** One event of the stream, as an SSE reader sees it; `data` is JSON text. */
const sseEvent = z
  .object({
    id: z.string().regex(/^[0-9]+-[0-9]+$/),
    event: z.enum(['hello', 'reset', ...KINDS]),
    data: z.string(),
  })
  .meta({ description: 'One Server-Sent Event' })

const DESCRIPTION = `Server-Sent Events of committed changes, in commit order, from any instance.
Every message's \`id\` is a cursor (\`<txId>-<position>\`); reconnecting with \`Last-Event-ID\`
resumes after it. Events: \`hello\` {cursor} first; \`machine\` {machine: MachineView, types};
\`part\` PartView; \`material\` MaterialView; \`deadletter\` {id, source, reason, receivedAt,
recordedAt} (the newest letter of its source); \`reset\` {reason}: the resume point is unusable
(not in the log, or more than STREAM_RESUME_MAX_EVENTS events back), reload and follow on. Updates are coalesced per entity, at most one per entity per flush; each
carries the entity's current row. \`: keepalive\` comment lines keep idle proxies open. For no
gap: open the stream, wait for \`hello\`, load the lists, then apply updates. Subscribers are capped
per instance and per client address (503 with Retry-After past either); a client that stops
reading for READ_SLOW_CLIENT_TIMEOUT_MS is dropped.`

/** The live stream of committed changes. */
export function streamRoutes(live: LiveUpdates): ApiRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/stream',
      summary: 'Live updates (Server-Sent Events), coalesced per entity, resumable',
      tag: 'machines',
      query: streamQuery,
      responses: {
        200: { description: DESCRIPTION, schema: sseEvent, contentType: 'text/event-stream' },
        400: { description: 'Bad query', schema: problem },
        503: storeUnavailable,
      },
      handle: async (ctx, { query: q }) => {
        const sink = new SseSink()
        const kinds = q.kind ?? new Set(KINDS)
        const resumeFrom = ctx.get('last-event-id') || q.lastEventId
        const subscription = await live
          .subscribe({ filter: { kinds, machines: q.machine }, resumeFrom, client: ctx.ip }, sink)
          .catch((err: unknown) => {
            throw err instanceof MillstreamError
              ? err
              : new MillstreamError('STORE_UNAVAILABLE', 'the event log is unavailable', {
                  cause: err,
                  retriable: true,
                })
          })
        let open = true
        const end = () => {
          if (!open) return
          open = false
          clearTimeout(ending)
          subscription.close()
        }
        const ending = q.closeAfterMs ? setTimeout(end, q.closeAfterMs) : undefined
        sink.body.once('close', end)
        ctx.status = 200
        ctx.type = 'text/event-stream'
        ctx.set('Cache-Control', 'no-cache')
        // Proxies that buffer (nginx) would hold updates back.
        ctx.set('X-Accel-Buffering', 'no')
        ctx.body = sink.body
      },
    }),
  ]
}
