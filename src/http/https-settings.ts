import { readTlsFiles, tlsFiles, type ReadText } from '../security/tls-material.js'

/** The HTTPS listener's own certificate and key (PEM text, read at start-up). */
export type HttpsMaterial = Readonly<{ cert: string; key: string }>

/** The HTTPS settings as given (file paths, not their contents). */
export type HttpsSettings = {
  TLS_CERT_FILE?: string | undefined
  TLS_KEY_FILE?: string | undefined
}

/**
 * Reads the listener's certificate and key when both are set; every problem at once (a file
 * missing, unreadable, empty, not a certificate, a key that is not the certificate's, one of
 * the two set without the other), named by its setting.
 */
export function httpsFrom(
  s: HttpsSettings,
  read: ReadText,
): { material?: HttpsMaterial; problems: string[] } {
  if (s.TLS_CERT_FILE === undefined && s.TLS_KEY_FILE === undefined) return { problems: [] }
  if (s.TLS_CERT_FILE === undefined || s.TLS_KEY_FILE === undefined)
    return {
      problems: [
        s.TLS_CERT_FILE === undefined
          ? 'TLS_KEY_FILE: HTTPS needs TLS_CERT_FILE too (both or neither)'
          : 'TLS_CERT_FILE: HTTPS needs TLS_KEY_FILE too (both or neither)',
      ],
    }
  const { material, problems } = readTlsFiles(
    tlsFiles({
      ca: ['TLS_CA_FILE', undefined],
      cert: ['TLS_CERT_FILE', s.TLS_CERT_FILE],
      key: ['TLS_KEY_FILE', s.TLS_KEY_FILE],
    }),
    read,
  )
  const { cert, key } = material
  return problems.length === 0 && cert !== undefined && key !== undefined
    ? { material: { cert, key }, problems }
    : { problems }
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
