import Koa from 'koa'
import { get as httpGet } from 'node:http'
import { distFileFor, swaggerUi } from '../../../src/http/swagger-ui'
import { serve } from '../../support/http'

describe('the allow-list of swagger-ui-dist files', () => {
  it('names the files the page loads', () => {
    expect(distFileFor('swagger-ui-bundle.js')).toBe('swagger-ui-bundle.js')
    expect(distFileFor('swagger-ui.css')).toBe('swagger-ui.css')
  })

  it.each([
    '../package.json',
    'package.json',
    '%2e%2e/package.json',
    './swagger-ui.css',
    'swagger-ui.css/',
    'index.html',
    'swagger-ui-bundle.js.map',
    '__proto__',
    'constructor',
    '',
  ])('refuses %j', (name) => {
    expect(distFileFor(name)).toBeUndefined()
  })
})

describe('the Swagger UI middleware', () => {
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    const app = new Koa()
    app.use(swaggerUi({ routePrefix: '/api/v1/docs', specUrl: '/api/v1/openapi.json' }))
    app.use((ctx) => {
      ctx.status = 404
      ctx.body = 'next'
    })
    server = await serve(app)
  })
  afterAll(() => server.close())

  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init)
  // fetch would resolve `..` (and `%2e%2e`) before sending, and adds `Cache-Control: no-cache`
  // to a conditional request: this sends the path and headers as written.
  const getRaw = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpGet(server.url, { path, headers }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (body += chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      }).on('error', reject)
    })

  it('serves a page at the prefix, with or without a slash, that names no outside URL', async () => {
    for (const path of ['/api/v1/docs', '/api/v1/docs/']) {
      const res = await get(path)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/)
      const html = await res.text()
      expect(html).toContain('<title>millstream API (Swagger UI)</title>')
      expect(html).toContain('src="/api/v1/docs/assets/swagger-ui-bundle.js"')
      expect(html).toContain('src="/api/v1/docs/assets/swagger-initializer.js"')
      expect(html).not.toMatch(/\/\/|https?:|<script>|<style>|style="/)
    }
    const init = await (await get('/api/v1/docs/assets/swagger-initializer.js')).text()
    expect(init).toContain('"url":"/api/v1/openapi.json"')
    expect(init).toContain('"validatorUrl":null')
  })

  it('serves every file the page names', async () => {
    const html = await (await get('/api/v1/docs')).text()
    const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string)
    expect(named.length).toBeGreaterThanOrEqual(4)
    for (const url of named)
      expect({ url, status: (await get(url)).status }).toEqual({ url, status: 200 })
  })

  it('serves the allow-listed files with their types, and a 304 for a current copy', async () => {
    const css = await get('/api/v1/docs/assets/swagger-ui.css')
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    expect(css.headers.get('cache-control')).toBe('no-cache')
    expect(css.headers.get('x-content-type-options')).toBe('nosniff')
    expect((await css.text()).length).toBeGreaterThan(10_000)
    const png = await get('/api/v1/docs/assets/favicon-32x32.png')
    expect(png.headers.get('content-type')).toBe('image/png')
    const etag = css.headers.get('etag') ?? ''
    expect(etag).not.toBe('')
    const again = await getRaw('/api/v1/docs/assets/swagger-ui.css', { 'if-none-match': etag })
    expect(again).toEqual({ status: 304, body: '' })
  })

  it.each([
    '/api/v1/docs/assets/../package.json',
    '/api/v1/docs/assets/%2e%2e/package.json',
    '/api/v1/docs/assets/..%2fpackage.json',
    '/api/v1/docs/assets/package.json',
    '/api/v1/docs/assets/index.html',
    '/api/v1/docs/assets/sub/swagger-ui.css',
    '/api/v1/docs/swagger-ui.css',
    '/api/v1/docs/spec',
    '/other/api/v1/docs',
    '/api/v1/docsswagger-ui.css',
    '/api/v1/openapi.json',
  ])('passes %s on to the next middleware', async (path) => {
    expect(await getRaw(path)).toEqual({ status: 404, body: 'next' })
  })

  it('passes a method other than GET and HEAD on', async () => {
    expect((await get('/api/v1/docs', { method: 'POST' })).status).toBe(404)
    expect((await get('/api/v1/docs/assets/swagger-ui.css', { method: 'HEAD' })).status).toBe(200)
  })
})
