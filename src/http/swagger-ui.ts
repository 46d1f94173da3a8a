import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type Koa from 'koa'
import { CONTENT_TYPES, offlinePagePolicy, staticFiles, type StaticFile } from './static-files.js'

/** Where the docs live and which OpenAPI document they show. */
export type SwaggerUiOptions = {
  /** The page's path, e.g. `/api/v1/docs`; its assets are served beneath it. */
  routePrefix: string
  /** The OpenAPI document's path on this service, e.g. `/api/v1/openapi.json`. */
  specUrl: string
}

const { js: JAVASCRIPT, css: CSS, png: PNG, html: HTML } = CONTENT_TYPES

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
  'favicon-16x16.png': PNG,
} as const satisfies Record<string, string>

/** The swagger-ui-dist file a name under the docs prefix stands for, if it is one we serve. */
export function distFileFor(name: string): keyof typeof DIST_FILES | undefined {
  return Object.hasOwn(DIST_FILES, name) ? (name as keyof typeof DIST_FILES) : undefined
}

/**
 * Swagger UI served entirely by this service: an HTML page at `routePrefix` (with or without
 * the trailing slash), swagger-ui-dist's own files beneath it, and a small script that points
 * the UI at `specUrl`. Any other request passes to `next`.
 */
export function swaggerUi(options: SwaggerUiOptions): Koa.Middleware {
  // Resolved now, so a missing package fails the start rather than the first page view.
  const distDir = path.dirname(require.resolve('swagger-ui-dist/package.json'))
  const files = new Map<string, StaticFile>([
    [
      '',
      {
        type: HTML,
        read: () => Promise.resolve(page(options.routePrefix)),
        headers: { 'Content-Security-Policy': offlinePagePolicy("'none'") },
      },
    ],
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
  return staticFiles((requestPath) => {
    const name = nameUnder(options.routePrefix, requestPath)
    return name === undefined ? undefined : files.get(name)
  })
}

/** `''` for the page itself, the rest of the path for one below it, else undefined. */
function nameUnder(prefix: string, requestPath: string): string | undefined {
  if (requestPath === prefix || requestPath === `${prefix}/`) return ''
  return requestPath.startsWith(`${prefix}/`) ? requestPath.slice(prefix.length + 1) : undefined
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
