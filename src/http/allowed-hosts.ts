import type Koa from 'koa'
import { MillstreamError } from '../errors.js'

/**
 * Paths answered whatever the Host: probes address an instance by its IP address, and what
 * they read says nothing about the plant.
 */
const PROBES = new Set(['/healthz', '/readyz'])

/**
 * Refuses (421) a request whose Host header names none of `hosts` (lower case, no port). A
 * page on another site that a DNS rebinding points at this service names that site's host, so
 * it cannot read the API through a victim's browser.
 */
export function allowedHosts(hosts: readonly string[]): Koa.Middleware {
  const allowed = new Set(hosts)
  return async (ctx, next) => {
    if (!PROBES.has(ctx.path)) {
      const host = hostNameOf(ctx.get('host'))
      if (host === undefined || !allowed.has(host))
        throw new MillstreamError('MISDIRECTED', 'this service does not answer for that host')
    }
    await next()
  }
}

/** The host name of a Host header, lower case, without its port; undefined when malformed. */
export function hostNameOf(header: string): string | undefined {
  // A Host is a host and a port, nothing else: a user, a path or a query makes it malformed.
  if (header === '' || /[/@?#\\\s]/.test(header)) return undefined
  try {
    return new URL(`http://${header}`).hostname.toLowerCase()
  } catch {
    return undefined
  }
}
