import type Koa from 'koa'

/** HSTS for a year: a browser that has seen HTTPS here never tries plain HTTP again. */
const HSTS = 'max-age=31536000'

/**
 * Headers every response carries: no type sniffing, no framing by another page (clickjacking),
 * no Referer sent on, and, on HTTPS only, HSTS. Set before the rest runs, so errors carry them
 * too; a page with a fuller Content-Security-Policy of its own (the dashboard, Swagger UI)
 * replaces the default one, which only forbids framing.
 */
export function securityHeaders(options: { https: boolean }): Koa.Middleware {
  return async (ctx, next) => {
    ctx.set('X-Content-Type-Options', 'nosniff')
    ctx.set('Content-Security-Policy', "frame-ancestors 'none'")
    ctx.set('X-Frame-Options', 'DENY')
    ctx.set('Referrer-Policy', 'no-referrer')
    if (options.https) ctx.set('Strict-Transport-Security', HSTS)
    await next()
  }
}
