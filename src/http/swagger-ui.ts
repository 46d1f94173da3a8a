import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type Koa from 'koa'
import { koaSwagger } from 'koa2-swagger-ui'
import { CONTENT_TYPES, offlinePagePolicy, staticFiles, type StaticFile } from './static-files.js'

/** Where the docs live and which OpenAPI document they show. */
export type SwaggerUiOptions = {
  /** The page's path, e.g. `/api/v1/docs`; its assets are served beneath it. */
  routePrefix: string
  /** The OpenAPI document's path on this service, e.g. `/api/v1/openapi.json`. */
  specUrl: string
}

const { js: JAVASCRIPT, css: CSS, png: PNG } = CONTENT_TYPES

/** The folder beneath the page's path that its files are served from. */
const ASSETS = 'assets'

/**
 * The only files of swagger-ui-dist the page loads, with their content types. Requests are
 * matched against these names exactly, so no path (`../package.json`, `%2e%2e/…`) can reach
 * any other file of the package, let alone of the disk.
 */
const DIST_FILES = {
  'swagger-ui.css': CSS,
  'index.css': CSS,
  'swagger-ui-bundle.js': JAVASCRIPT,
  'favicon-32x32.png': PNG,
} as const satisfies Record<string, string>

/** The swagger-ui-dist file a name under the docs prefix stands for, if it is one we serve. */
export function distFileFor(name: string): keyof typeof DIST_FILES | undefined {
  return Object.hasOwn(DIST_FILES, name) ? (name as keyof typeof DIST_FILES) : undefined
}

/**
 * Swagger UI served entirely by this service: koa2-swagger-ui renders the page at
 * `routePrefix` (with or without the trailing slash), its template patched (`patches/`) to load
 * nothing but files beneath `{routePrefix}/assets/`: swagger-ui-dist's own, and a small script
 * that points the UI at `specUrl`. Any other request passes to `next`.
 */
export function swaggerUi(options: SwaggerUiOptions): Koa.Middleware {
  // Resolved now, so a missing package fails the start rather than the first page view.
  const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'))
  const assetsPrefix = `${options.routePrefix}/${ASSETS}`
  const page = koaSwagger({
    routePrefix: options.routePrefix,
    title: 'millstream API (Swagger UI)',
    swaggerCdnUrl: options.routePrefix,
    swaggerVersion: ASSETS,
    favicon: `${assetsPrefix}/favicon-32x32.png`,
  })
  const assets = new Map<string, StaticFile>([
    [
      'swagger-initializer.js',
      { type: JAVASCRIPT, read: () => Promise.resolve(initializer(options)) },
    ],
    // Read on first use and kept: a service nobody browses never needs the 1.7 MB bundle.
    ...Object.entries(DIST_FILES).map(([name, type]): [string, StaticFile] => [
      name,
      { type, read: () => readFile(path.join(distDir, name)) },
    ]),
  ])
  const serveAssets = staticFiles((requestPath) => {
    const name = nameUnder(assetsPrefix, requestPath)
    return name === undefined ? undefined : assets.get(name)
  })
  return async (ctx, next) => {
    const isPage = ctx.path === options.routePrefix || ctx.path === `${options.routePrefix}/`
    if (!isPage || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await serveAssets(ctx, next)
      return
    }
    ctx.set('Content-Security-Policy', offlinePagePolicy("'none'"))
    ctx.set('Cache-Control', 'no-cache')
    await page(ctx, next)
  }
}

/** The rest of the path below `prefix`, else undefined. */
function nameUnder(prefix: string, requestPath: string): string | undefined {
  return requestPath.startsWith(`${prefix}/`) ? requestPath.slice(prefix.length + 1) : undefined
}

// A file rather than an inline script, so the CSP can forbid inline scripts. The validator is
// off: its badge is an image from an outside host, and the document is checked in our tests.
function initializer({ specUrl }: SwaggerUiOptions): string {
  const config = { url: specUrl, dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null }
  return `window.ui = SwaggerUIBundle(${JSON.stringify(config)})\n`
}
