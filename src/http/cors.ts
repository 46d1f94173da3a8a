import type Koa from 'koa'

/** The methods and request headers a page from an allowed origin may use. */
const METHODS = 'GET, HEAD, POST'
const HEADERS = 'Authorization, Content-Type, Last-Event-ID'
/** How long a browser may keep a preflight's answer. */
const MAX_AGE_SECONDS = '600'

/**
 * CORS for exactly `origins`: a request from one of them gets `Access-Control-Allow-Origin`
 * naming it, and its preflight (OPTIONS with `Access-Control-Request-Method`) is answered
 * 204 here. A request from any other origin gets no CORS header, so the browser keeps the
 * answer from the page. Never `*`, and never credentials: the API takes bearer keys, which a
 * page sends only on purpose, not cookies a browser would add on its own.
 */
export function cors(origins: readonly string[]): Koa.Middleware {
  const allowed = new Set(origins)
  return async (ctx, next) => {
    ctx.vary('Origin')
    const origin = ctx.get('origin')
    if (!allowed.has(origin)) {
      await next()
      return
    }
    ctx.set('Access-Control-Allow-Origin', origin)
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method') !== '') {
      ctx.set('Access-Control-Allow-Methods', METHODS)
      ctx.set('Access-Control-Allow-Headers', HEADERS)
      ctx.set('Access-Control-Max-Age', MAX_AGE_SECONDS)
      ctx.status = 204
      return
    }
    ctx.set('Access-Control-Expose-Headers', 'Retry-After, WWW-Authenticate')
    await next()
  }
}
