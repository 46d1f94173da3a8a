import http from 'node:http'
import { createHistogram } from 'node:perf_hooks'

export type LoadOptions = {
  /** e.g. `http://127.0.0.1:8080`. */
  baseUrl: string
  /** The path of the i-th request a connection sends. */
  path: (connection: number, i: number) => string
  /** Seconds measured, after `warmupSeconds` not measured. */
  seconds: number
  warmupSeconds: number
  /** Keep-alive connections, each with one request at a time. */
  connections: number
  requestTimeoutMs?: number
}

/** Throughput and latency of the requests started in the measured window. */
export type LoadResult = {
  requests: number
  seconds: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  /** Requests that got no response (connection error or timeout). */
  errors: number
  non2xx: number
}

type Outcome = { status: number } | { error: Error }

/**
 * A closed-loop load generator: `connections` keep-alive connections, each sending its next
 * request as soon as the previous response ended, for a fixed time. Closed-loop keeps the
 * offered load at what the server sustains, so latency is measured at that throughput.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.baseUrl)
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections })
  const histogram = createHistogram({ lowest: 1, highest: 60e9, figures: 3 })
  const counts = { requests: 0, errors: 0, non2xx: 0 }
  const started = performance.now()
  const measureFrom = started + options.warmupSeconds * 1000
  const stopAt = measureFrom + options.seconds * 1000
  let lastDone = measureFrom

  const request = (path: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const req = http.get(
        { agent, host: url.hostname, port: url.port, path, timeout: options.requestTimeoutMs },
        (res) => {
          // Reading the body to its end frees the connection for the next request.
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }))
          res.on('error', (error) => resolve({ error }))
          res.resume()
        },
      )
      req.on('timeout', () => req.destroy(new Error('request timed out')))
      req.on('error', (error) => resolve({ error }))
    })

  const connection = async (c: number): Promise<void> => {
    for (let i = 0; ; i++) {
      const t0 = performance.now()
      if (t0 >= stopAt) return
      const outcome = await request(options.path(c, i))
      const t1 = performance.now()
      if (t0 < measureFrom) continue
      counts.requests += 1
      lastDone = Math.max(lastDone, t1)
      if ('error' in outcome) counts.errors += 1
      else {
        if (outcome.status < 200 || outcome.status >= 300) counts.non2xx += 1
        histogram.record(Math.max(1, Math.round((t1 - t0) * 1e6)))
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: options.connections }, (_, c) => connection(c)))
  } finally {
    agent.destroy()
  }
  const seconds = (lastDone - measureFrom) / 1000
  const ms = (p: number) => (histogram.count > 0 ? round2(histogram.percentile(p) / 1e6) : 0)
  return {
    ...counts,
    seconds: round2(seconds),
    requestsPerSecond: seconds > 0 ? Math.round(counts.requests / seconds) : 0,
    p50Ms: ms(50),
    p99Ms: ms(99),
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100
}
