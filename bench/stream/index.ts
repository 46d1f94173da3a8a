import { memory } from '../../harness/process-memory'
import { queryOnce } from '../../harness/services'
import { ServiceProcess } from '../../harness/service-process'
import { SseClient, type SseEvent } from '../../harness/sse-client'
import { newBenchRun } from '../e2e/bench-run'
import { drain, measureThroughput, type ThroughputWindow } from '../lib/closed-loop'
import { readCounters } from '../lib/service-metrics'
import { round, sleep } from '../lib/sampler'
import type { BenchServices } from '../lib/types'
import { LoadProcess } from '../load/load-process'
import type { LoadMix } from '../load/messages'

export type StreamBenchOptions = {
  mix: LoadMix
  clients: number
  warmupSeconds: number
  seconds: number
}

export type StreamClientResult = {
  updatesPerSecond: number
  kibPerSecond: number
  /** Received after the load stopped, until its newest update reached the log's head. */
  caughtUpMs: number | null
}

export type StreamResult = {
  clients: number
  /** The service's own closed-loop rate (messages committed per second) while they read. */
  throughput: ThroughputWindow
  perClient: StreamClientResult[]
  /** Commit (the event's recorded_at) to receipt of the update whose id it is, every client. */
  delayMs: { p50: number; p99: number; max: number; samples: number }
  /** Entity updates waiting to be sent, summed over clients: its peak while sampled. */
  peakPendingUpdates: number
  peakRssBytes: number
}

/** Every this many updates a client keeps one to look its commit time up. */
const SAMPLE_EVERY = 10

/**
 * The live stream under the service's maximum load: `clients` SSE clients read every machine
 * while the load publishes as fast as the service commits. Per client: updates/s; for all:
 * the delay from commit to receipt, and how much waited to be sent (bounded: clients keep up).
 */
export async function measureStream(
  services: BenchServices,
  options: StreamBenchOptions,
  log: (line: string) => void,
): Promise<StreamResult> {
  const run = await newBenchRun(services)
  const service = await ServiceProcess.start(run.env)
  const readers = await Promise.all(
    Array.from({ length: options.clients }, () => openReader(service.url)),
  )
  const load = await LoadProcess.forBench(services.mqttUrl, run.runId, options.mix)
  const applied = async () => (await readCounters(service.url)).applied
  let peakPending = 0
  let sampling = true
  const pendingSampler = (async () => {
    while (sampling) {
      peakPending = Math.max(peakPending, await pendingUpdates(service.url))
      await sleep(250)
    }
  })()
  try {
    log(
      `stream: ${options.clients} SSE clients, ${options.mix.machines} machines, closed loop, ${options.warmupSeconds} s warm-up + ${options.seconds} s`,
    )
    const startedAt = Date.now()
    const throughput = await measureThroughput({
      load,
      done: applied,
      pids: { service: service.pid, load: load.pid },
      warmupSeconds: options.warmupSeconds,
      seconds: options.seconds,
      backlog: 30_000,
    })
    const readSeconds = (Date.now() - startedAt) / 1000
    await drain(load, applied)
    const stoppedAt = Date.now()
    const head = await logHead(run.databaseUrl)
    await Promise.all(
      readers.map((r) =>
        r.client.until('the head', () => r.newest >= head, 30_000).catch(() => undefined),
      ),
    )
    sampling = false
    await pendingSampler
    const delays = await commitDelays(
      run.databaseUrl,
      readers.flatMap((r) => r.samples),
    )
    return {
      clients: options.clients,
      throughput,
      perClient: readers.map((r) => ({
        updatesPerSecond: Math.round(r.updates / readSeconds),
        kibPerSecond: Math.round(r.client.bytes / 1024 / readSeconds),
        caughtUpMs: r.newest >= head ? Math.max(0, Math.round(r.newestAt - stoppedAt)) : null,
      })),
      delayMs: percentiles(delays),
      peakPendingUpdates: peakPending,
      peakRssBytes: memory(service.pid).peakRssBytes,
    }
  } finally {
    sampling = false
    await load.stop()
    await Promise.all(readers.map((r) => r.client.close()))
    await service.kill('SIGTERM')
  }
}

type Reader = {
  client: SseClient
  updates: number
  /** Position of the newest update received, and when (epoch ms). */
  newest: number
  newestAt: number
  /** Position and epoch ms of receipt, every SAMPLE_EVERY-th update. */
  samples: [number, number][]
}

async function openReader(url: string): Promise<Reader> {
  const reader: Reader = {
    client: undefined as never,
    updates: 0,
    newest: 0,
    newestAt: 0,
    samples: [],
  }
  const onEvent = (e: SseEvent) => {
    if (e.event === 'hello' || !e.id) return
    const position = Number(e.id.split('-')[1])
    const at = Date.now()
    reader.updates++
    reader.newest = Math.max(reader.newest, position)
    reader.newestAt = at
    if (reader.updates % SAMPLE_EVERY === 0) reader.samples.push([position, at])
  }
  reader.client = await SseClient.open(`${url}/api/v1/stream?kind=machine`, { onEvent })
  return reader
}

async function pendingUpdates(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text()
  return Number(/^millstream_stream_pending_updates (\d+)/m.exec(text)?.[1] ?? 0)
}

async function logHead(databaseUrl: string): Promise<number> {
  const [row] = await queryOnce<{ p: number | null }>(
    databaseUrl,
    "SELECT max(position)::float8 AS p FROM event_log WHERE entity_type = 'machine'",
  )
  return row?.p ?? 0
}

/** Receipt minus the event's recorded_at (same host clock), for every sampled update. */
async function commitDelays(databaseUrl: string, samples: [number, number][]): Promise<number[]> {
  if (samples.length === 0) return []
  const rows = await queryOnce<{ position: number; at: number }>(
    databaseUrl,
    `SELECT position, ts_to_ms(recorded_at) AS at FROM event_log WHERE position = ANY($1::bigint[])`,
    [[...new Set(samples.map(([p]) => p))]],
  )
  const recorded = new Map(rows.map((r) => [Number(r.position), Number(r.at)]))
  return samples.flatMap(([p, at]) => {
    const t = recorded.get(p)
    return t === undefined ? [] : [at - t]
  })
}

function percentiles(values: number[]): StreamResult['delayMs'] {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0
  return {
    p50: round(at(0.5), 0),
    p99: round(at(0.99), 0),
    max: round(sorted.at(-1) ?? 0, 0),
    samples: sorted.length,
  }
}

/** The part's figures as lines of the bench's report. */
export function streamReport(r: StreamResult): string {
  const rates = r.perClient.map((c) => c.updatesPerSecond)
  const caught = r.perClient.map((c) => c.caughtUpMs)
  return [
    `Live stream: ${r.clients} SSE clients reading every machine, service at its maximum rate`,
    `  service: ${r.throughput.perSecond} messages/s committed while they read (${r.throughput.seconds} s)`,
    `  updates/s per client: ${rates.join(', ')} (KiB/s: ${r.perClient.map((c) => c.kibPerSecond).join(', ')})`,
    `  commit → receipt: p50 ${r.delayMs.p50} ms, p99 ${r.delayMs.p99} ms, max ${r.delayMs.max} ms (${r.delayMs.samples} samples)`,
    `  pending updates, all clients: peak ${r.peakPendingUpdates} (bounded by clients × machines = ${r.clients * 1000})`,
    `  after the load stopped, each client had the log's head within (ms): ${caught.map((c) => (c === null ? 'never' : c)).join(', ')}`,
    `  service peak RSS: ${Math.round(r.peakRssBytes / 2 ** 20)} MiB`,
  ].join('\n')
}

/** What makes the part's run invalid: a client that fell behind, or nothing measured. */
export function streamProblems(r: StreamResult): string[] {
  const found: string[] = []
  if (r.delayMs.samples === 0) found.push('stream: no update received')
  r.perClient.forEach((c, i) => {
    if (c.caughtUpMs === null) found.push(`stream: client ${i + 1} never reached the log's head`)
  })
  return found
}
