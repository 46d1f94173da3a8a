import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Koa from 'koa'
import { dashboard } from '../../../src/http/dashboard'
import { createLogger } from '../../../src/logger'
import { serve } from '../../support/http'

/** A page folder and a compiled-scripts folder of its own, beside the real uPlot package. */
function folders() {
  const root = mkdtempSync(path.join(tmpdir(), 'millstream-dashboard-'))
  const staticDir = path.join(root, 'static')
  const scriptsDir = path.join(root, 'scripts')
  mkdirSync(staticDir)
  mkdirSync(scriptsDir)
  writeFileSync(path.join(staticDir, 'index.html'), '<html>\n  <head>\n  </head>\n</html>\n')
  writeFileSync(path.join(staticDir, 'dashboard.css'), 'body {}')
  writeFileSync(path.join(scriptsDir, 'main.js'), 'export {}')
  writeFileSync(path.join(root, 'secret.js'), 'no')
  return {
    staticDir,
    scriptsDir,
    uplotDir: path.dirname(require.resolve('uplot/package.json')),
  }
}

describe('the dashboard middleware', () => {
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    const app = new Koa()
    app.use(dashboard(createLogger('silent'), folders()))
    app.use((ctx) => {
      ctx.status = 404
      ctx.body = 'next'
    })
    server = await serve(app)
  })
  afterAll(() => server.close())

  // fetch would resolve `..` before sending: this sends the path as written.
  const getRaw = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        httpGet(server.url, { path, headers }, (res) => {
          let body = ''
          res.setEncoding('utf8')
          res.on('data', (chunk: string) => (body += chunk))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
        }).on('error', reject)
      },
    )

  it('serves the page with a CSP of its own origin and a preload link per module', async () => {
    const page = await getRaw('/')
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'self'; /)
    expect(page.body).toContain('<link rel="modulepreload" href="/assets/main.js" />')
    expect(page.body).toContain('<link rel="modulepreload" href="/assets/uPlot.esm.js" />')
  })

  it.each([
    ['/assets/main.js', 'text/javascript; charset=utf-8'],
    ['/assets/dashboard.css', 'text/css; charset=utf-8'],
    ['/assets/uPlot.esm.js', 'text/javascript; charset=utf-8'],
    ['/assets/uPlot.min.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s, revalidated by its ETag', async (file, type) => {
    const res = await getRaw(file)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe(type)
    expect(res.headers['cache-control']).toBe('no-cache')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    const again = await getRaw(file, { 'if-none-match': String(res.headers.etag) })
    expect(again.status).toBe(304)
  })

  it.each([
    '/assets/../secret.js',
    '/assets/%2e%2e/secret.js',
    '/assets/..%2fsecret.js',
    '/assets/index.html',
    '/assets/',
    '/assets/uPlot.cjs.js',
    '/assets/__proto__',
    '/index.html',
  ])('passes %s on, reading no file', async (file) => {
    const res = await getRaw(file)
    expect(res).toMatchObject({ status: 404, body: 'next' })
  })
})
