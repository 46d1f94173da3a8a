import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type Koa from 'koa'

/** Where the docs live and which OpenAPI document they show. */
export type SwaggerUiOptions = {
  /** The page's path, e.g. `/api/v1/docs`; its assets are served beneath it. */
  routePrefix: string
  /** The OpenAPI document's path on this service, e.g. `/api/v1/openapi.json`. */
  specUrl: string
}

const JAVASCRIPT = 'text/javascript; charset=utf-8'
const READS = new Set(['GET', 'HEAD'])

/**
 * The only files of swagger-ui-dist the page loads, with their content types. Requests are
 * matched against these names exactly, so no path (`../package.json`, `%2e%2e/…`) can reach
 * any other file of the package, let alone of the disk.
 */
const DIST_FILES = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': JAVASCRIPT,
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
} as const satisfies Record<string, string>

/** The swagger-ui-dist file a name under the docs prefix stands for, if it is one we serve. */
export function distFileFor(name: string): keyof typeof DIST_FILES | undefined {
  return Object.hasOwn(DIST_FILES, name) ? (name as keyof typeof DIST_FILES) : undefined
}

// The page names nothing outside the service: a plant network has no internet, and a page
// that loads its script from a CDN (or its fonts from Google) renders blank there. The CSP
// makes the browser refuse anything else too.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

type Served = { type: string; body: Buffer; etag: string }

/**
 * Swagger UI served entirely by this service: an HTML page at `routePrefix` (with or without
 * the trailing slash), swagger-ui-dist's own files beneath it, and a small script that points
 * the UI at `specUrl`. Any other request passes to `next`.
 */
export function swaggerUi(options: SwaggerUiOptions): Koa.Middleware {
  // Resolved now, so a missing package fails the start rather than the first page view.
  const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'))
  const files = new Map<string, Promise<Served>>([
    ['', Promise.resolve(served('text/html; charset=utf-8', page(options.routePrefix)))],
    ['swagger-initializer.js', Promise.resolve(served(JAVASCRIPT, initializer(options)))],
  ])
  // Read on first use and kept: a service nobody browses never needs the 1.7 MB bundle.
  const fileFor = (name: string) => {
    const distFile = distFileFor(name)
    if (!files.has(name) && distFile)
      files.set(
        name,
        readFile(path.join(distDir, distFile)).then((body) => served(DIST_FILES[distFile], body)),
      )
    return files.get(name)
  }

  return async (ctx, next) => {
    const name = nameUnder(options.routePrefix, ctx.path)
    const file = name !== undefined && READS.has(ctx.method) ? await fileFor(name) : undefined
    if (!file) {
      await next()
      return
    }
    ctx.type = file.type
    ctx.etag = file.etag
    // Revalidated on every load (a 304 is cheap), so an upgraded swagger-ui-dist never meets a
    // page or stylesheet of the old version left in a browser's cache.
    ctx.set('Cache-Control', 'no-cache')
    ctx.set('X-Content-Type-Options', 'nosniff')
    if (name === '') ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    ctx.body = file.body
    if (ctx.fresh) ctx.status = 304 // Koa drops the body of a 304
  }
}

/** `''` for the page itself, the rest of the path for one below it, else undefined. */
function nameUnder(prefix: string, requestPath: string): string | undefined {
  if (requestPath === prefix || requestPath === `${prefix}/`) return ''
  return requestPath.startsWith(`${prefix}/`) ? requestPath.slice(prefix.length + 1) : undefined
}

function served(type: string, content: string | Buffer): Served {
  const body = Buffer.from(content)
  return { type, body, etag: createHash('sha256').update(body).digest('base64url') }
}

// Absolute paths: the page answers at both `/docs` and `/docs/`, where relative ones differ.
function page(prefix: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>millstream API (Swagger UI)</title>
    <link rel="stylesheet" href="${prefix}/swagger-ui.css" />
    <link rel="stylesheet" href="${prefix}/index.css" />
    <link rel="icon" type="image/png" href="${prefix}/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="${prefix}/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${prefix}/swagger-ui-bundle.js"></script>
    <script src="${prefix}/swagger-initializer.js"></script>
  </body>
</html>
`
}

// A file rather than an inline script, so the CSP can forbid inline scripts. The validator is
// off: its badge is an image from an outside host, and the document is checked in our tests.
function initializer({ specUrl }: SwaggerUiOptions): string {
  const config = { url: specUrl, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null }
  return `window.ui = SwaggerUIBundle(${JSON.stringify(config)})\n`
}
