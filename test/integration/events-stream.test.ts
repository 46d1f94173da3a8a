import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { get, type IncomingMessage } from 'node:http'
import path from 'node:path'
import { Readable } from 'node:stream'
import Router from '@koa/router'
import { transformFileSync } from '@swc/core'
import avro from 'avsc'
import Koa from 'koa'
import type { Pool } from 'pg'
import { pino } from 'pino'
import type { DomainEvent, EntityType } from '../../src/domain/events'
import { avroRecordOf } from '../../src/publish/avro/event-records'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { problemDetails } from '../../src/http/problem'
import { koaPath } from '../../src/http/route'
import { eventRoutes } from '../../src/http/routes/events'
import { parseOr400 } from '../../src/http/validate'
import { PgEventHistory, type EventHistory } from '../../src/read/event-history'
import { ensurePartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { createPool } from '../../src/journal/pool'
import { withTimeout } from '../../src/deadline'
import { serve } from '../support/http'
import { createTestDatabase, queryOnce, services, waitFor } from '../../harness/services'
import { bySize } from '../../harness/depth'

const ROOT = path.resolve(__dirname, '../..')
const log = pino({ level: 'silent' })
const registry = SchemaRegistry.fromDirectory()
const BASE = Date.parse('2024-03-01T00:00:00.000Z')

/** The route mounted as src/http/app.ts mounts routes, behind the same problem middleware. */
function eventsApp(history: EventHistory): Koa {
  const router = new Router()
  for (const route of eventRoutes(history, registry)) {
    router[route.method](`/api/v1${koaPath(route.path)}`, async (ctx) => {
      const query = route.query ? parseOr400(route.query, ctx.query, 'query') : {}
      await route.handle(ctx, { params: {}, query })
    })
  }
  const app = new Koa()
  app.silent = true
  app.use(problemDetails(log))
  app.use(router.routes())
  return app
}

async function migratedDatabase(): Promise<{ url: string; pool: Pool }> {
  const url = await createTestDatabase()
  const pool = createPool(url, log, 4)
  await migrate(pool, log)
  await ensurePartitions(pool, 86_400_000, Date.now())
  return { url, pool }
}

async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1)
  const admin = new URL(services().databaseUrl)
  admin.pathname = '/postgres'
  await queryOnce(admin.toString(), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
}

type Logged = { entityType: EntityType; event: DomainEvent }

/** A mixed log: every event type, several keys, occurrence times out of log order. */
function mixedLog(count: number): Logged[] {
  const sequences = new Map<string, number>()
  const logged: Logged[] = []
  for (let i = 0; i < count; i++) {
    const machineId = `m${(i % 3) + 1}`
    const envelope = (key: string) => {
      const sequence = (sequences.get(key) ?? 0) + 1
      sequences.set(key, sequence)
      // 37 is prime to count: a permutation of whole seconds, unrelated to log order.
      const occurredAt = BASE + ((i * 37) % count) * 1000
      return { eventId: randomUUID(), key, sequence, occurredAt, recordedAt: BASE + 10_000_000 + i }
    }
    const kind = i % 10
    if (kind < 5) {
      logged.push({
        entityType: 'machine',
        event: {
          ...envelope(machineId),
          type: 'PartProduced',
          machineId,
          partId: 4,
          order: i,
          damaged: i % 7 === 0,
          var1: 1.25,
          var2: 'x',
          var3: null,
          var4: null,
          messageId: null,
          idealCycleSeconds: i % 2 ? 12.5 : null,
        },
      })
    } else if (kind === 5) {
      logged.push({
        entityType: 'machine',
        event: {
          ...envelope(machineId),
          type: 'MachineStateChanged',
          machineId,
          state: 'running',
          previousState: 'idle',
          reason: i % 2 ? 'shift start' : null,
        },
      })
    } else if (kind === 6) {
      logged.push({
        entityType: 'machine',
        event: {
          ...envelope(machineId),
          type: 'MachineMetricsRecorded',
          machineId,
          metrics: { temperature: 20.5 + (i % 5), pressure: 1.5 },
        },
      })
    } else if (kind === 7) {
      logged.push({
        entityType: 'material',
        event: {
          ...envelope('steel'),
          type: 'MaterialPriceRecorded',
          materialId: 'steel',
          name: 'Steel S235',
          price: 2.5 + i / 100,
          date: BASE,
        },
      })
    } else if (kind === 8) {
      logged.push({
        entityType: 'part',
        event: {
          ...envelope('4'),
          type: 'PartInfoUpdated',
          partId: 4,
          defaultPrice: 9.99,
          timeToProduce: 12.5,
          materials: ['steel'],
        },
      })
    } else {
      const source = 'factory/machines/m1/production'
      logged.push({
        entityType: 'deadletter',
        event: {
          ...envelope(source),
          type: 'DeadLetter',
          source,
          payloadBase64: Buffer.from(`not json ${i}`).toString('base64'),
          reason: 'not UTF-8 JSON',
          receivedAt: BASE,
        },
      })
    }
  }
  return logged
}

async function insertLogged(pool: Pool, logged: Logged[]): Promise<void> {
  await pool.query(
    `INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
     SELECT (r->'event'->>'eventId')::uuid, r->>'entityType', r->'event'->>'key',
            (r->'event'->>'sequence')::bigint, r->'event'->>'type',
            ms_to_ts((r->'event'->>'occurredAt')::float8), ms_to_ts((r->'event'->>'recordedAt')::float8),
            r->'event'
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(r, n)
      ORDER BY n`,
    [JSON.stringify(logged)],
  )
}

async function ndjson(url: string): Promise<DomainEvent[]> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
  const text = await res.text()
  expect(text === '' || text.endsWith('\n')).toBe(true)
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DomainEvent)
}

async function avroFile(url: string): Promise<{ writer: avro.Type; records: unknown[] }> {
  const res = await fetch(url, { headers: { accept: 'application/avro' } })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toBe('application/avro')
  const decoder = new avro.streams.BlockDecoder()
  let writer: avro.Type | undefined
  decoder.once('metadata', (type: avro.Type) => (writer = type))
  Readable.from([Buffer.from(await res.arrayBuffer())]).pipe(decoder)
  const records: unknown[] = []
  for await (const record of decoder) records.push(record)
  if (!writer) throw new Error('no Avro header')
  return { writer, records }
}

const hasSchema = (type: string) => registry.all().some((s) => s.name === type)
/** avsc wraps each union value as `{ fullName: record }`. */
const unwrap = (value: unknown) => Object.values(value as Record<string, unknown>)[0]

describe('GET /api/v1/events', () => {
  describe('over a small log of every event type', () => {
    const logged = mixedLog(400)
    const events = logged.map((l) => l.event)
    let db: { url: string; pool: Pool }
    let history: PgEventHistory
    let server: Awaited<ReturnType<typeof serve>>
    let api: string

    beforeAll(async () => {
      db = await migratedDatabase()
      await insertLogged(db.pool, logged)
      // Small batches, so every test streams across many cursor reads.
      history = new PgEventHistory(db.pool, { batchSize: 7 })
      server = await serve(eventsApp(history))
      api = `${server.url}/api/v1/events`
    })
    afterAll(async () => {
      await server.close()
      await db.pool.end()
      await dropDatabase(db.url)
    })
    afterEach(async () => {
      // Every stream, however it ended, has given its connection back.
      await waitFor(
        'streams closed',
        () => Promise.resolve(history.active === 0 || undefined),
        10_000,
        20,
      )
      expect(db.pool.idleCount).toBe(db.pool.totalCount)
    })

    it('streams the whole log as NDJSON, one event per line, in log order', async () => {
      expect(await ndjson(api)).toEqual(events)
    })

    it('keeps exactly the events of the given types, repeated or comma-separated', async () => {
      const wanted = ['PartProduced', 'MachineStateChanged', 'DeadLetter']
      const expected = events.filter((e) => wanted.includes(e.type))
      expect(await ndjson(`${api}?type=PartProduced,MachineStateChanged&type=DeadLetter`)).toEqual(
        expected,
      )
      expect(await ndjson(`${api}?type=MaterialPriceRecorded`)).toEqual(
        events.filter((e) => e.type === 'MaterialPriceRecorded'),
      )
    })

    it('keeps exactly the events of one key', async () => {
      const got = await ndjson(`${api}?key=m2`)
      expect(got).toEqual(events.filter((e) => e.key === 'm2'))
      expect(got.length).toBeGreaterThan(50)
    })

    it('keeps events from `from` (inclusive) to `to` (exclusive), ISO-8601 or epoch ms', async () => {
      const from = BASE + 100_000
      const to = BASE + 250_000
      const expected = events.filter((e) => e.occurredAt >= from && e.occurredAt < to)
      expect(expected).toHaveLength(150)
      expect(await ndjson(`${api}?from=${new Date(from).toISOString()}&to=${to}`)).toEqual(expected)
      expect(await ndjson(`${api}?from=${from}&to=${new Date(to).toISOString()}`)).toEqual(expected)
    })

    it('combines filters and stops after `limit` events', async () => {
      const from = BASE + 50_000
      const expected = events.filter(
        (e) => e.type === 'PartProduced' && e.key === 'm1' && e.occurredAt >= from,
      )
      expect(await ndjson(`${api}?type=PartProduced&key=m1&from=${from}`)).toEqual(expected)
      expect(await ndjson(`${api}?type=PartProduced&key=m1&from=${from}&limit=10`)).toEqual(
        expected.slice(0, 10),
      )
      expect(await ndjson(`${api}?key=nobody`)).toEqual([])
    })

    it('answers Accept: application/avro with a container file of every event that has a schema', async () => {
      const { writer, records } = await avroFile(api)
      expect(writer.typeName).toBe('union:wrapped')
      const branches = (writer as unknown as { types: avro.Type[] }).types.map((t) => t.name)
      expect(branches.sort()).toEqual(
        registry
          .all()
          .map((s) => `millstream.events.${s.name}`)
          .sort(),
      )
      const expected = events.filter((e) => hasSchema(e.type))
      expect(records.map((r) => Object.keys(r as object)[0])).toEqual(
        expected.map((e) => `millstream.events.${e.type}`),
      )
      expect(records.map(unwrap)).toEqual(expected.map(avroRecordOf))
    })

    it('writes the one record schema when one type is asked for, deflated on request', async () => {
      const query = `type=MachineMetricsRecorded&key=m3&from=${BASE + 40_000}&codec=deflate`
      const { writer, records } = await avroFile(`${api}?${query}`)
      expect(writer.name).toBe('millstream.events.MachineMetricsRecorded')
      const expected = events.filter(
        (e) =>
          e.type === 'MachineMetricsRecorded' && e.key === 'm3' && e.occurredAt >= BASE + 40_000,
      )
      expect(expected.length).toBeGreaterThan(5)
      expect(records).toEqual(expected)
    })

    it('answers 503 while too many streams are open, and ends them all at shutdown', async () => {
      const held = await Promise.all([1, 2, 3, 4].map(() => history.open({})))
      expect(history.active).toBe(4)
      const res = await fetch(api)
      expect(res.status).toBe(503)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      await history.close()
      expect(held.every((s) => s.destroyed)).toBe(true)
      expect(await ndjson(`${api}?limit=3`)).toEqual(events.slice(0, 3))
    })

    it('answers a bad `from` with a 400 problem before streaming anything', async () => {
      const res = await fetch(`${api}?from=yesterday`)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      const body = (await res.json()) as { status: number; code: string; detail: string }
      expect(body).toMatchObject({ status: 400, code: 'BAD_REQUEST' })
      expect(body.detail).toMatch(/query\.from/)
    })

    it('answers an unknown type, an empty range and a bad limit with 400 problems', async () => {
      for (const query of [
        'type=Nope',
        `from=${BASE + 2000}&to=${BASE}`,
        'limit=0',
        'colour=red',
      ]) {
        const res = await fetch(`${api}?${query}`)
        expect({ query, status: res.status }).toEqual({ query, status: 400 })
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      }
    })

    it('answers an Accept it cannot meet with a 406 problem', async () => {
      const res = await fetch(api, { headers: { accept: 'text/csv' } })
      expect(res.status).toBe(406)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    })
  })

  describe('bounds on one answer', () => {
    const logged = mixedLog(120)
    const events = logged.map((l) => l.event)
    let db: { url: string; pool: Pool }
    let history: PgEventHistory
    let server: Awaited<ReturnType<typeof serve>>

    beforeAll(async () => {
      db = await migratedDatabase()
      await insertLogged(db.pool, logged)
      history = new PgEventHistory(db.pool, { batchSize: 7, maxRows: 50 })
      server = await serve(eventsApp(history))
    })
    afterAll(async () => {
      await server.close()
      await db.pool.end()
      await dropDatabase(db.url)
    })

    it('ends an answer at the row cap with a Link trailer that goes on where it stopped', async () => {
      const got: unknown[] = []
      let next: string | undefined = '/api/v1/events'
      const pages: number[] = []
      while (next !== undefined) {
        const page = await withTrailers(`${server.url}${next}`)
        pages.push(page.lines.length)
        got.push(...page.lines)
        next = /^<([^>]+)>; rel="next"$/.exec(page.trailers.link ?? '')?.[1]
      }
      expect(pages).toEqual([50, 50, 20])
      expect(got).toEqual(events)
    })

    it('goes on with what is left of the limit asked for', async () => {
      const first = await withTrailers(`${server.url}/api/v1/events?type=PartProduced&limit=60`)
      expect(first.lines).toHaveLength(50)
      expect(first.trailers.link).toMatch(/limit=10/)
      const rest = await withTrailers(
        `${server.url}${/<([^>]+)>/.exec(first.trailers.link ?? '')?.[1]}`,
      )
      expect(rest.trailers.link).toBeUndefined()
      expect([...first.lines, ...rest.lines]).toEqual(
        events.filter((e) => e.type === 'PartProduced').slice(0, 60),
      )
    })

    it('answers an `after` the log does not hold with a 404 problem', async () => {
      const res = await fetch(`${server.url}/api/v1/events?after=${randomUUID()}`)
      expect(res.status).toBe(404)
      expect(((await res.json()) as { detail: string }).detail).toMatch(/query\.after/)
    })
  })

  describe('over a long log (a million events in the deep run)', () => {
    const TOTAL = bySize({ quick: 250_000, deep: 1_000_000 })
    let db: { url: string; pool: Pool }

    beforeAll(async () => {
      db = await migratedDatabase()
      const started = Date.now()
      await db.pool.query(
        `INSERT INTO event_log (event_id, entity_type, entity_id, sequence, type, occurred_at, recorded_at, payload)
         SELECT id, 'machine', k, seq, 'PartProduced', ms_to_ts(ms), ms_to_ts(ms),
                jsonb_build_object('eventId', id, 'type', 'PartProduced', 'key', k, 'sequence', seq,
                  'occurredAt', ms, 'recordedAt', ms, 'machineId', k, 'partId', i % 7, 'order', i,
                  'damaged', i % 50 = 0, 'var1', 1.5, 'var2', 'a', 'var3', null, 'var4', null,
                  'messageId', null, 'idealCycleSeconds', 12.5)
           FROM (SELECT i, gen_random_uuid() AS id, 'm' || (i % 100) AS k, i / 100 + 1 AS seq,
                        $1::bigint + i * 1000 AS ms
                   FROM generate_series(0, $2::int - 1) AS i) AS s`,
        [BASE, TOTAL],
      )
      console.log(`inserted ${TOTAL} events in ${Date.now() - started} ms`)
    })
    afterAll(async () => {
      await db.pool.end()
      await dropDatabase(db.url)
    })

    it('gives the connection back when the client goes away mid-stream', async () => {
      const history = new PgEventHistory(db.pool, UNCAPPED)
      const server = await serve(eventsApp(history))
      try {
        const openWhileStreaming = await new Promise<number>((resolve, reject) => {
          const req = get(`${server.url}/api/v1/events`, (res) => {
            res.once('data', () => {
              resolve(history.active)
              req.destroy()
            })
          })
          req.on('error', reject)
        })
        expect(openWhileStreaming).toBe(1)
        await waitFor(
          'the stream to close',
          () => Promise.resolve(history.active === 0 || undefined),
          10_000,
          20,
        )
        expect(db.pool.idleCount).toBe(db.pool.totalCount)
        const running = await queryOnce<{ n: number }>(
          db.url,
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
        )
        expect(running[0]?.n).toBe(0)
      } finally {
        await server.close()
      }
    })

    it('cuts off a client that stops reading and gives its connection and snapshot back', async () => {
      // Each wait below has its own deadline: the test fails in seconds, not at jest's timeout.
      const history = new PgEventHistory(db.pool, { ...UNCAPPED, slowClientMs: 500 })
      const server = await serve(eventsApp(history))
      try {
        let response: IncomingMessage | undefined
        const aborted = new Promise<void>((resolve, reject) => {
          get(`${server.url}/api/v1/events`, (res) => {
            // Takes the headers and nothing more: the socket's buffers fill and the server waits.
            response = res
            res.pause()
            res.once('error', () => undefined)
            res.once('close', () => resolve())
            res.once('end', () => reject(new Error('the answer ended cleanly')))
          }).on('error', () => undefined)
        })
        await waitFor(
          'a stream to open',
          () => Promise.resolve(history.active === 1 || undefined),
          10_000,
          10,
        )
        await waitFor(
          'the stalled stream to close',
          () => Promise.resolve(history.active === 0 || undefined),
          10_000,
          20,
        )
        // What the kernel still held reaches the client, then the cut: no clean end.
        response?.resume()
        await withTimeout(aborted, 5000)
        expect(db.pool.idleCount).toBe(db.pool.totalCount)
        const held = await queryOnce<{ n: number }>(
          db.url,
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND state IN ('active', 'idle in transaction')`,
        )
        expect(held[0]?.n).toBe(0)
      } finally {
        await server.close()
      }
    })

    it('cuts the response short, rather than ending it cleanly, when the database connection dies', async () => {
      const history = new PgEventHistory(db.pool, UNCAPPED)
      const server = await serve(eventsApp(history))
      try {
        const res = await fetch(`${server.url}/api/v1/events`)
        const reader = res.body?.getReader()
        expect((await reader?.read())?.done).toBe(false)
        await queryOnce(
          db.url,
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND query LIKE 'SELECT payload::text, event_id::text FROM event_log%'`,
        )
        const drain = async () => {
          for (;;) if ((await reader?.read())?.done !== false) return
        }
        await expect(drain()).rejects.toThrow()
        await waitFor(
          'the stream to close',
          () => Promise.resolve(history.active === 0 || undefined),
          10_000,
          20,
        )
        expect((await db.pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
      } finally {
        await server.close()
      }
    })

    it('streams every event as NDJSON while the server stays under 200 MB RSS', async () => {
      const server = await EventsServer.start(db.url)
      try {
        const baseline = server.rssMb()
        const sampler = setInterval(() => server.sample(), 50)
        const started = Date.now()
        const { lines, last } = await consumeSlowly(`${server.url}/api/v1/events`)
        clearInterval(sampler)
        const seconds = (Date.now() - started) / 1000
        const peak = server.peakMb()
        console.log(
          `streamed ${lines} NDJSON lines in ${seconds.toFixed(1)} s; server RSS ${baseline.toFixed(0)} MB ` +
            `before, peak ${peak.toFixed(0)} MB (sampled max ${server.sampledMaxMb.toFixed(0)} MB)`,
        )
        expect(lines).toBe(TOTAL)
        expect(JSON.parse(last)).toMatchObject({
          type: 'PartProduced',
          order: TOTAL - 1,
          occurredAt: BASE + (TOTAL - 1) * 1000,
        })
        expect(peak).toBeLessThan(200)
      } finally {
        await server.stop()
      }
    })
  })
})

/** The NDJSON lines of an answer, and its HTTP trailers (lower-cased names). */
function withTrailers(url: string): Promise<{ lines: unknown[]; trailers: NodeJS.Dict<string> }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () =>
        resolve({
          lines: text
            .split('\n')
            .filter((l) => l.length > 0)
            .map((l) => JSON.parse(l) as unknown),
          trailers: res.trailers,
        }),
      )
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** No cap on rows that a million-event answer would reach: these tests are about one long answer. */
const UNCAPPED = { maxRows: 10_000_000, maxDurationMs: 600_000 }

/** Reads the whole body, pausing now and then so the server has to wait for its client. */
function consumeSlowly(url: string): Promise<{ lines: number; last: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`status ${res.statusCode}`))
        return
      }
      let lines = 0
      let last = ''
      // Bytes after the last newline so far: the start of a line still arriving.
      let partial: Buffer = Buffer.alloc(0)
      let sincePause = 0
      res.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
        const buf = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk
        const end = buf.lastIndexOf(10)
        if (end !== -1) {
          const start = end > 0 ? buf.lastIndexOf(10, end - 1) : -1
          last = buf.subarray(start + 1, end).toString()
        }
        partial = buf.subarray(end + 1)
        sincePause += chunk.length
        if (sincePause > 1 << 20) {
          sincePause = 0
          res.pause()
          setTimeout(() => res.resume(), 40)
        }
      })
      res.on('end', () => resolve({ lines, last }))
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** test/integration/fixtures/events-server.ts in its own process, running the built code. */
class EventsServer {
  sampledMaxMb = 0

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  static async start(databaseUrl: string): Promise<EventsServer> {
    const fixture = path.join(__dirname, 'fixtures/events-server.ts')
    const { code } = transformFileSync(fixture, {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'commonjs' },
    })
    const child = spawn(process.execPath, ['-e', code], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: databaseUrl,
        MILLSTREAM_DIST: path.join(ROOT, 'dist'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        const m = /listening (\d+)/.exec(output)
        if (m) resolve(m[1] as string)
      })
      child.once('exit', (code) => reject(new Error(`events server exited ${code}:\n${output}`)))
    })
    return new EventsServer(child, `http://127.0.0.1:${port}`)
  }

  private status(field: 'VmRSS' | 'VmHWM'): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8')
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]
    if (!kb) throw new Error(`no ${field} in /proc/${this.child.pid}/status`)
    return Number(kb) / 1024
  }

  rssMb(): number {
    return this.status('VmRSS')
  }

  sample(): void {
    this.sampledMaxMb = Math.max(this.sampledMaxMb, this.rssMb())
  }

  /** The kernel's high-water mark of the process's RSS: catches peaks between samples. */
  peakMb(): number {
    return this.status('VmHWM')
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill('SIGTERM')
    await exited
  }
}
