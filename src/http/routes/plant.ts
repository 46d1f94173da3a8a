import type { Registry } from 'prom-client'
import { z } from 'zod'
import { RUN_STATES } from '../../domain/oee.js'
import { currentValue, labelledValue, RecentQuantiles } from '../../metrics-window.js'
import type { PlantReads, SeriesReads } from '../../read/ports.js'
import { defineRoute, type ApiRoute } from '../route.js'
import { machineView, storeUnavailable } from '../schemas.js'

const count = z.number().int().min(0)

const named = { id: z.string(), name: z.string() }
const plantSite = z.object({
  ...named,
  areas: z.array(
    z.object({
      ...named,
      lines: z.array(z.object({ ...named, machines: z.array(z.string()) })),
    }),
  ),
})

const plantSummary = z
  .object({
    at: z.iso.datetime(),
    machines: count,
    byState: z.object(Object.fromEntries(RUN_STATES.map((s) => [s, count]))),
    oee: machineView.shape.oee.meta({
      description: 'Means over the machines that have each factor; null while none has',
    }),
    produced: count,
    scrapped: count,
    lastHour: z.object({ produced: count, scrapped: count }).meta({
      description: 'Parts made and scrapped in the last 60 whole minutes and this one so far',
    }),
    alerts: z.object({ silent: count, scrapRate: count }).meta({
      description: 'Machines with each alert raised',
    }),
    sites: z.array(plantSite).meta({
      description: "The plant model's hierarchy, each line with the machines placed in it now",
    }),
    unplaced: z.array(z.string()).meta({ description: 'Machines no line of the model places' }),
  })
  .meta({ description: 'The plant at a glance, and its hierarchy' })

const pipelineView = z
  .object({
    at: z.iso.datetime(),
    inFlight: count.meta({ description: 'Messages read but not yet committed (this instance)' }),
    commitLatencyMs: z
      .object({ p50: z.number(), p99: z.number() })
      .nullable()
      .meta({ description: 'Commit duration over about the last minute; null with no commits' }),
    relay: z
      .object({ lagEvents: count, published: count })
      .nullable()
      .meta({ description: 'The outbox relay to Kafka; null where Kafka is not configured' }),
    series: z
      .object({ lagEvents: count })
      .nullable()
      .meta({ description: 'Events not yet in the chart tables; null where no follower runs' }),
    stream: z.object({ subscribers: count }),
    messagesProcessed: count.meta({ description: 'Inputs settled since this instance started' }),
    deadLetters: count.meta({ description: 'Inputs dead-lettered since this instance started' }),
  })
  .meta({ description: 'How the data path of this instance is doing' })

/** The plant summary and the health of the data path, for the dashboard. */
export function plantRoutes(
  plant: PlantReads,
  series: SeriesReads,
  registry: Registry,
): ApiRoute[] {
  const commitLatency = new RecentQuantiles(registry, 'millstream_commit_duration_seconds')
  const gauge = (name: string) => currentValue(registry, name)
  const ms = (seconds: number | undefined) => (seconds ?? 0) * 1000
  return [
    defineRoute({
      method: 'get',
      path: '/plant',
      summary:
        'The plant at a glance: machines by state, mean OEE factors, totals, alerts; its sites, areas and lines',
      tag: 'plant',
      responses: {
        200: { description: 'The summary', schema: plantSummary },
        503: storeUnavailable,
      },
      handle: async (ctx) => {
        const now = Date.now()
        const [summary, lastHour, tree] = await Promise.all([
          plant.summary(),
          partsInHourTo(series, now),
          plant.tree(),
        ])
        ctx.body = { at: new Date(now).toISOString(), ...summary, lastHour, ...tree }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/pipeline',
      summary: "This instance's data path: in flight, commit latency, relay and chart lag",
      tag: 'plant',
      responses: { 200: { description: 'The figures', schema: pipelineView } },
      handle: async (ctx) => {
        const [latency, inFlight, relayLag, published, seriesLag, subscribers, processed] =
          await Promise.all([
            commitLatency.read([0.5, 0.99]),
            gauge('millstream_messages_in_flight'),
            gauge('millstream_relay_lag_events'),
            gauge('millstream_relay_published_events'),
            gauge('millstream_series_lag_events'),
            gauge('millstream_stream_subscribers'),
            gauge('millstream_messages_processed_total'),
          ])
        ctx.body = {
          at: new Date().toISOString(),
          inFlight: inFlight ?? 0,
          commitLatencyMs: latency && { p50: ms(latency[0]), p99: ms(latency[1]) },
          relay: relayLag === undefined ? null : { lagEvents: relayLag, published: published ?? 0 },
          series: seriesLag === undefined ? null : { lagEvents: seriesLag },
          stream: { subscribers: subscribers ?? 0 },
          messagesProcessed: processed ?? 0,
          deadLetters: await labelledValue(
            registry,
            'millstream_messages_processed_total',
            'outcome',
            'dead-lettered',
          ),
        }
      },
    }),
  ]
}

const MINUTE = 60_000

/** Parts of the last hour, from the plant's minute rollup: the 60 minutes before this one, and this one. */
async function partsInHourTo(series: SeriesReads, now: number) {
  const to = Math.floor(now / MINUTE) * MINUTE + MINUTE
  const minutes = await series.plantOee({
    from: to - 61 * MINUTE,
    to,
    bucketMs: MINUTE,
    source: 'minute',
  })
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  return { produced: sum(minutes.produced), scrapped: sum(minutes.scrapped) }
}
