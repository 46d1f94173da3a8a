import { request } from 'node:http'
import { pino } from 'pino'
import { createHttpApp, type HttpDeps } from '../../../src/http/app'
import { MillstreamError } from '../../../src/errors'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

/** fetch refuses TRACE and the like: send them with node:http. */
function send(
  url: string,
  method: string,
): Promise<{ status: number; allow?: string; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          allow: res.headers.allow,
          body: text ? (JSON.parse(text) as unknown) : undefined,
        }),
      )
    })
    req.on('error', reject)
    req.end()
  })
}

const KEY = { authorization: 'Bearer s3cret', 'content-type': 'application/json' }

describe('the HTTP edge', () => {
  let server: Awaited<ReturnType<typeof serve>>
  const published: string[] = []
  let failNext: MillstreamError | undefined
  const start = async (overrides: Partial<HttpDeps> = {}) => {
    server = await serve(
      createHttpApp(
        httpDeps({
          bus: {
            publish: (topic) => {
              const err = failNext
              failNext = undefined
              if (err) return Promise.reject(err)
              published.push(topic)
              return Promise.resolve()
            },
          },
          ...overrides,
        }),
      ),
    )
  }
  afterEach(() => server.close())
  const publish = (topic: string) =>
    fetch(`${server.url}/api/v1/mqtt/publish`, {
      method: 'POST',
      headers: KEY,
      body: JSON.stringify({ topic, payload: { v: 1 } }),
    })

  describe('methods and paths', () => {
    const levels: number[] = []
    beforeEach(() =>
      start({
        log: pino(
          { level: 'debug' },
          {
            write: (line: string) =>
              void levels.push((JSON.parse(line) as { level: number }).level),
          },
        ),
      }),
    )

    it('logs them below error level', async () => {
      levels.length = 0
      await send(`${server.url}/api/v1/machines/7`, 'TRACE')
      await send(`${server.url}/api/v1/nowhere`, 'GET')
      expect(levels.length).toBeGreaterThan(0)
      expect(Math.max(...levels)).toBeLessThan(pino.levels.values.error ?? 50)
    })

    it.each(['TRACE', 'PROPFIND', 'DELETE', 'PATCH'])(
      'answers %s on a known path with 405 and Allow',
      async (method) => {
        const res = await send(`${server.url}/api/v1/machines/7`, method)
        expect(res.status).toBe(405)
        expect(res.allow).toBe('HEAD, GET')
        expect(res.body).toMatchObject({ status: 405, code: 'METHOD_NOT_ALLOWED' })
      },
    )

    it('answers with problem+json', async () => {
      const res = await fetch(`${server.url}/api/v1/machines/7`, { method: 'DELETE' })
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/)
    })

    it('answers OPTIONS on a known path with the methods it serves', async () => {
      const res = await fetch(`${server.url}/api/v1/parts/4`, { method: 'OPTIONS' })
      expect(res.status).toBe(204)
      expect(res.headers.get('allow')).toBe('HEAD, GET, PUT')
    })

    it('answers an unknown path with a 404 problem, whatever the method', async () => {
      for (const method of ['GET', 'TRACE', 'POST']) {
        const res = await send(`${server.url}/api/v1/nowhere`, method)
        expect(res.status).toBe(404)
        expect(res.body).toMatchObject({ status: 404, code: 'NOT_FOUND' })
      }
    })
  })

  describe('topics', () => {
    beforeEach(() => start())

    it.each([
      ['a wildcard #', 'factory/#', 'wildcard'],
      ['a wildcard +', 'factory/+/x', 'wildcard'],
      ['U+0000', 'factory/a\u0000b', 'U+0000'],
      ['a $ prefix', '$SYS/broker', '$'],
      ['a lone surrogate', 'factory/\uDC00', 'UTF-8'],
      ['more than 512 characters', `factory/${'x'.repeat(600)}`, '512'],
    ])('refuses a publish to a topic with %s: 400 saying why', async (_, topic, why) => {
      const res = await publish(topic)
      expect(res.status).toBe(400)
      const body = (await res.json()) as { detail: string }
      expect(body.detail).toContain('body.topic')
      expect(body.detail).toContain(why)
      expect(published).not.toContain(topic)
    })

    it('takes only input topics on /ingest', async () => {
      const ingest = (topic: string) =>
        fetch(`${server.url}/api/v1/ingest`, {
          method: 'POST',
          headers: KEY,
          body: JSON.stringify([{ topic, payload: {} }]),
        })
      for (const topic of ['factory/machines/7/production', 'factory/parts/4/info', 'supply-chain'])
        expect((await ingest(topic)).status).toBe(202)
      for (const topic of [
        'factory/machines/7',
        'factory/parts/x/info',
        'other/machines/7/status',
      ]) {
        const res = await ingest(topic)
        expect(res.status).toBe(400)
        expect(((await res.json()) as { detail: string }).detail).toContain('not an input topic')
      }
    })
  })

  describe('when the broker does not take a message', () => {
    beforeEach(() => start())

    it('answers 503 with Retry-After when the publish deadline passes', async () => {
      failNext = new MillstreamError('PUBLISH_TIMEOUT', 'the MQTT broker did not acknowledge', {
        retriable: true,
        retryAfterSeconds: 2,
      })
      const res = await fetch(`${server.url}/api/v1/machines/7/commands`, {
        method: 'POST',
        headers: KEY,
        body: JSON.stringify({ type: 'reset-counters' }),
      })
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('2')
      expect(await res.json()).toMatchObject({ code: 'PUBLISH_TIMEOUT' })
    })

    it('answers 422 when the broker refused the message', async () => {
      failNext = new MillstreamError('PUBLISH_REFUSED', 'the MQTT broker refused the message')
      const res = await publish('factory/x')
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({ code: 'PUBLISH_REFUSED' })
    })
  })

  describe('with API keys required for reads', () => {
    beforeEach(() => start({ readsNeedKey: true }))

    it('refuses reads without a key and serves them with one', async () => {
      expect((await fetch(`${server.url}/api/v1/machines`)).status).toBe(401)
      const withKey = await fetch(`${server.url}/api/v1/machines`, { headers: KEY })
      expect(withKey.status).toBe(200)
    })

    it('keeps health, readiness, metrics and the API document open', async () => {
      for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json'])
        expect((await fetch(`${server.url}${path}`)).status).toBe(200)
    })

    it('says so in the API document', async () => {
      const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { security?: unknown }>>
      }
      expect(doc.paths['/api/v1/machines']?.get?.security).toEqual([{ apiKey: [] }])
      expect(doc.paths['/healthz']?.get?.security).toBeUndefined()
    })
  })
})
