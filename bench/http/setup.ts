import pg from 'pg'
import { productionMessages, TestPublisher } from '../../harness/mqtt-publisher'
import type { ServiceProcess } from '../../harness/service-process'
import { uniqueName, waitFor } from '../../harness/services'

/** Creates a fresh, empty database on the server of `serverUrl` and returns its URL. */
export async function createBenchDatabase(serverUrl: string): Promise<string> {
  const name = uniqueName('ms_bench_')
  await onAdminDatabase(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`))
  return withDatabase(serverUrl, name)
}

/** Drops a database made by `createBenchDatabase`, closing any connection still open to it. */
export async function dropBenchDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1)
  await onAdminDatabase(databaseUrl, (admin) =>
    admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  )
}

/**
 * Publishes one production message for each of `machines` machines (ids 1..machines) and
 * waits until the service's API lists them all.
 */
export async function populateMachines(
  service: ServiceProcess,
  mqttUrl: string,
  topicPrefix: string,
  machines: number,
): Promise<void> {
  const publisher = await TestPublisher.connect(mqttUrl, uniqueName('bench-publisher-'))
  try {
    await publisher.publishAll(productionMessages(topicPrefix, machines, machines))
  } finally {
    await publisher.close()
  }
  // The machine at the last offset exists once every machine has been committed.
  await waitFor(
    `${machines} machines in the API`,
    async () => {
      const page = await service.get<{ items: unknown[] }>(
        `/api/v1/machines?limit=1&offset=${machines - 1}`,
      )
      return page.body.items.length === 1 ? true : undefined
    },
    120_000,
    250,
  )
}

/**
 * Waits until the outbox relay has published the `events` the population caused to Kafka, so
 * that work does not compete with the lookups being measured.
 */
export async function untilRelayCaughtUp(service: ServiceProcess, events: number): Promise<void> {
  await waitFor(
    'the outbox relay to catch up',
    async () => {
      const res = await fetch(`${service.url}/metrics`)
      const text = await res.text()
      const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
      const caughtUp =
        gauge('millstream_relay_lag_events') === 0 &&
        gauge('millstream_relay_published_events') >= events
      return caughtUp ? true : undefined
    },
    120_000,
    250,
  )
}

/**
 * Stops the service with SIGTERM so it shuts down in order (and writes its CPU profile, if
 * it makes one), and kills it if it has not exited after `timeoutMs`.
 */
export async function stopService(service: ServiceProcess, timeoutMs = 20_000): Promise<void> {
  const stopped = service.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs)
  })
  try {
    if ((await Promise.race([stopped, late])) === 'late') await service.kill('SIGKILL')
  } finally {
    clearTimeout(timer)
  }
}

/** One resource to release: what it is and how. */
export type Closer = { name: string; close: () => unknown }

/**
 * Releases resources in reverse order of acquisition. Every one is tried; a failure is
 * reported on stderr rather than thrown, so it never hides the error that ended the run.
 */
export async function closeAll(closers: Closer[]): Promise<void> {
  for (const { name, close } of [...closers].reverse()) {
    try {
      await close()
    } catch (err) {
      console.error(`bench: could not close ${name}:`, err)
    }
  }
}

async function onAdminDatabase(url: string, run: (admin: pg.Client) => Promise<unknown>) {
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') })
  await admin.connect()
  try {
    await run(admin)
  } finally {
    await admin.end()
  }
}

function withDatabase(url: string, database: string): string {
  const next = new URL(url)
  next.pathname = `/${database}`
  return next.toString()
}
