import { createHash } from 'node:crypto'
import type Koa from 'koa'

/** A file the service serves itself: its content type, how to read it, headers of its own. */
export type StaticFile = {
  type: string
  /** Called on first use; the content is kept for the life of the process. */
  read: () => Promise<Buffer | string>
  headers?: Readonly<Record<string, string>>
}

/** Content types of the files the service's pages are made of. */
export const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  png: 'image/png',
} as const satisfies Record<string, string>

// A page names nothing outside the service: a plant network has no internet, and a page that
// loads its script from a CDN (or its fonts from Google) renders blank there. The CSP makes the
// browser refuse anything else too.
/** The Content-Security-Policy of a page that loads nothing but this service's own files. */
export function offlinePagePolicy(defaultSrc: "'self'" | "'none'"): string {
  return [
    `default-src ${defaultSrc}`,
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

const READS = new Set(['GET', 'HEAD'])

type Served = { body: Buffer; etag: string }

/**
 * Serves GET and HEAD of the files `lookup` names; any other request passes to `next`. Only
 * what `lookup` returns is ever read, so a request path cannot reach any other file. Each file
 * is read on first use and kept; a file that is missing on disk passes to `next` (a 404) and is
 * looked for again next time.
 */
export function staticFiles(
  lookup: (requestPath: string) => StaticFile | undefined,
): Koa.Middleware {
  const cache = new Map<StaticFile, Promise<Served>>()
  const load = (file: StaticFile): Promise<Served> => {
    let served = cache.get(file)
    if (!served) {
      served = file.read().then(servedAs)
      cache.set(file, served)
      served.catch(() => cache.delete(file))
    }
    return served
  }

  return async (ctx, next) => {
    const file = READS.has(ctx.method) ? lookup(ctx.path) : undefined
    if (!file) {
      await next()
      return
    }
    let served: Served
    try {
      served = await load(file)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      await next()
      return
    }
    ctx.type = file.type
    ctx.etag = served.etag
    // Revalidated on every load (a 304 is cheap), so an upgraded service never meets a page,
    // script or stylesheet of the old version left in a browser's cache.
    ctx.set('Cache-Control', 'no-cache')
    ctx.set('X-Content-Type-Options', 'nosniff')
    for (const [name, value] of Object.entries(file.headers ?? {})) ctx.set(name, value)
    ctx.body = served.body
    if (ctx.fresh) ctx.status = 304 // Koa drops the body of a 304
  }
}

function servedAs(content: Buffer | string): Served {
  const body = Buffer.from(content)
  return { body, etag: createHash('sha256').update(body).digest('base64url') }
}
