import { HaproxyProcess } from '../../harness/haproxy'
import { ServiceProcess } from '../../harness/service-process'
import { uniqueName, waitFor } from '../../harness/services'
import type { BenchServices } from '../lib/types'
import { runLoad, type LoadResult } from './load'
import {
  closeAll,
  createBenchDatabase,
  dropBenchDatabase,
  populateMachines,
  stopService,
  untilRelayCaughtUp,
  type Closer,
} from './setup'

export type HttpLookupOptions = {
  /** Seconds measured per path (after a short warm-up). */
  seconds: number
  /** Keep-alive connections, one request in flight on each. */
  connections: number
  /** Machines created first; the lookups cycle over all of them. */
  machines: number
  /** If set, the service runs with `--cpu-prof` and writes its profile here on exit. */
  cpuProfileDir?: string
}

/** Lookups of `GET /api/v1/machines/{id}` on one path to the service. */
export type HttpLookupResult = { path: 'direct' | 'haproxy' } & LoadResult

/**
 * Requests/s and latency of machine lookups, straight to the service and through HAProxy,
 * against a fresh database holding `machines` machines. Starts and stops everything it uses.
 */
export async function measureHttpLookups(
  services: BenchServices,
  options: HttpLookupOptions,
): Promise<HttpLookupResult[]> {
  const topicPrefix = uniqueName('bench')
  const closers: Closer[] = []
  try {
    const databaseUrl = await createBenchDatabase(services.databaseUrl)
    closers.push({ name: 'bench database', close: () => dropBenchDatabase(databaseUrl) })
    const service = await ServiceProcess.start(
      {
        DATABASE_URL: databaseUrl,
        MQTT_URL: services.mqttUrl,
        KAFKA_BROKERS: services.kafkaBrokers,
        MQTT_CLIENT_ID: uniqueName('bench-ingest-'),
        MQTT_TOPIC_PREFIX: topicPrefix,
        KAFKA_TOPIC_PREFIX: topicPrefix,
      },
      options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    )
    closers.push({ name: 'service', close: () => stopService(service) })
    await populateMachines(service, services.mqttUrl, topicPrefix, options.machines)
    await untilRelayCaughtUp(service, options.machines)
    const haproxy = HaproxyProcess.start([service.httpPort])
    closers.push({ name: 'haproxy', close: () => haproxy.stop() })
    const viaHaproxy = haproxy.url
    // HAProxy sends traffic once its health check has seen the service ready.
    await waitFor('HAProxy to reach the service', async () => {
      const res = await fetch(`${viaHaproxy}/api/v1/machines/1`)
      return res.ok ? true : undefined
    })

    const lookups = (baseUrl: string) =>
      runLoad({
        baseUrl,
        // Each connection starts at its own offset, so concurrent lookups hit different rows.
        path: (c, i) => `/api/v1/machines/${1 + ((c * 7919 + i) % options.machines)}`,
        seconds: options.seconds,
        warmupSeconds: Math.min(2, Math.max(1, options.seconds / 5)),
        connections: options.connections,
        requestTimeoutMs: 10_000,
      })
    return [
      { path: 'direct', ...(await lookups(service.url)) },
      { path: 'haproxy', ...(await lookups(viaHaproxy)) },
    ]
  } finally {
    await closeAll(closers)
  }
}
