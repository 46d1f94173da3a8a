import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import pg from 'pg'

/** Connection details of the real test services (set by test/global-setup.ts). */
export function services(): { databaseUrl: string; mqttUrl: string; kafkaBrokers: string } {
  const { DATABASE_URL, MQTT_URL, KAFKA_BROKERS } = process.env
  if (!DATABASE_URL || !MQTT_URL || !KAFKA_BROKERS) {
    throw new Error(
      'integration tests need DATABASE_URL, MQTT_URL and KAFKA_BROKERS (see test/global-setup.ts)',
    )
  }
  return { databaseUrl: DATABASE_URL, mqttUrl: MQTT_URL, kafkaBrokers: KAFKA_BROKERS }
}

/** A short random suffix that keeps tests' databases, topics and client ids apart. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`
}

/** Creates a fresh, empty database on the test server and returns its URL. */
export async function createTestDatabase(): Promise<string> {
  const base = new URL(services().databaseUrl)
  const name = uniqueName('ms_test_')
  const admin = new pg.Client({ connectionString: withDatabase(base, 'postgres') })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  return withDatabase(base, name)
}

function withDatabase(base: URL, database: string): string {
  const url = new URL(base.toString())
  url.pathname = `/${database}`
  return url.toString()
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Thrown from a `waitFor` probe to stop waiting at once (e.g. the process under test died). */
export class GiveUp extends Error {}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      if (err instanceof GiveUp) throw err
      last = err
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      )
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/** Runs one query against a test database and closes the connection. */
export async function queryOnce<R extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query<R>(sql, params)).rows
  } finally {
    await client.end()
  }
}
