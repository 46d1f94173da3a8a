import type Router from '@koa/router'
import type { Middleware } from 'koa'
import { MillstreamError } from '../errors.js'

/**
 * A known path asked with a method it does not serve gets 405 with `Allow` (OPTIONS gets 204
 * with `Allow`); an unknown path falls through to the 404 problem. The router's own
 * `allowedMethods` answers 501 to any method outside its short list (TRACE, PROPFIND, …).
 */
export function methodNotAllowed(router: Router): Middleware {
  return async (ctx, next) => {
    await next()
    if (ctx.status !== 404 || ctx.body !== undefined) return
    const matched = router.match(ctx.path, ctx.method)
    if (matched.route) return
    const allowed = [...new Set(matched.path.flatMap((layer) => layer.methods))]
    if (allowed.length === 0) return
    ctx.set('Allow', allowed.join(', '))
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204
      return
    }
    throw new MillstreamError(
      'METHOD_NOT_ALLOWED',
      `${ctx.method} is not allowed on ${ctx.path}; allowed: ${allowed.join(', ')}`,
    )
  }
}
