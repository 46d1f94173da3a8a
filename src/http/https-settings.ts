import type { ReadText } from '../security/tls-material.js'
import { serverTlsFrom, type ServerTlsMaterial } from '../security/server-tls.js'

/** The HTTPS listener's certificate and key, and the CA of its clients' certificates if asked. */
export type HttpsMaterial = ServerTlsMaterial

/** The HTTPS settings as given (file paths, not their contents). */
export type HttpsSettings = {
  TLS_CERT_FILE?: string | undefined
  TLS_KEY_FILE?: string | undefined
  TLS_CLIENT_CA_FILE?: string | undefined
}

/** Reads the service listener's TLS files when set, with every problem at once. */
export function httpsFrom(
  s: HttpsSettings,
  read: ReadText,
): { material?: HttpsMaterial; problems: string[] } {
  return serverTlsFrom(
    {
      cert: ['TLS_CERT_FILE', s.TLS_CERT_FILE],
      key: ['TLS_KEY_FILE', s.TLS_KEY_FILE],
      clientCa: ['TLS_CLIENT_CA_FILE', s.TLS_CLIENT_CA_FILE],
    },
    'HTTPS',
    read,
  )
}

/**
 * What is wrong with CORS_ORIGINS: each entry must be an exact origin (`scheme://host[:port]`,
 * nothing after it), never `*`, which would open the API to every page on the web.
 */
export function corsProblems(origins: readonly string[]): string[] {
  return origins.flatMap((origin) => {
    if (origin === '*') return ['CORS_ORIGINS: `*` is refused; list the exact origins']
    let parsed: URL
    try {
      parsed = new URL(origin)
    } catch {
      return [`CORS_ORIGINS: ${origin} is not an origin (scheme://host[:port])`]
    }
    return parsed.origin === origin
      ? []
      : [`CORS_ORIGINS: ${origin} is not an origin (scheme://host[:port], no path or slash)`]
  })
}
