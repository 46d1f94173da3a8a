import type pg from 'pg'
import { MillstreamError } from '../errors.js'
import { readTlsFiles, tlsFiles, type ReadText } from '../security/tls-material.js'

/**
 * How the service's connections check the server: `verify-full` checks the certificate's chain
 * and that it names the host; `verify-ca` the chain only; `no-verify` neither (encrypted only).
 */
export type DatabaseTlsMode = 'verify-full' | 'verify-ca' | 'no-verify'

/** TLS of the service's PostgreSQL connections (plain data: it crosses to the relay thread). */
export type DatabaseTls = Readonly<{
  mode: DatabaseTlsMode
  ca?: string
  cert?: string
  key?: string
}>

/**
 * Where the service's connections go: a URL stripped of its TLS parameters, and the TLS they
 * asked for, read once at start. node-postgres would otherwise parse those parameters on every
 * connection, read the files then (a missing CA only surfacing at the first query), and
 * override any `ssl` option given beside the URL.
 */
export type DatabaseTarget = Readonly<{ url: string; tls?: DatabaseTls }>

/** Parameters of a connection string that say how TLS is done; taken out of the URL. */
const TLS_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat']

/**
 * node-postgres 8's meaning of `sslmode` (not libpq's): `prefer`, `require` and `verify-ca`
 * verify like `verify-full` there. Kept, except `verify-ca`, which here means what it says.
 */
const MODES: Record<string, DatabaseTlsMode | 'off'> = {
  disable: 'off',
  prefer: 'verify-full',
  require: 'verify-full',
  'verify-ca': 'verify-ca',
  'verify-full': 'verify-full',
  'no-verify': 'no-verify',
}

/**
 * Reads `DATABASE_URL`'s TLS parameters (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`) and the
 * CA of `PGSSLROOTCERT` (a URL's `sslrootcert` wins). A CA with no `sslmode` means
 * `verify-full`. Every problem is returned (an unreadable file, an unknown mode, a CA with TLS
 * off), never the URL's password.
 */
export function databaseTargetFrom(
  url: string,
  rootCertFile: string | undefined,
  read: ReadText,
): { target: DatabaseTarget; problems: string[] } {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { target: { url }, problems: ['DATABASE_URL: not a URL'] }
  }
  const param = (name: string) => parsed.searchParams.get(name) ?? undefined
  const sslmode = param('sslmode')
  const ssl = param('ssl')
  const problems: string[] = []
  if (param('uselibpqcompat') !== undefined)
    problems.push(
      'DATABASE_URL: uselibpqcompat is not supported; sslmode has the meaning docs/configuration.md gives',
    )
  const caFile = param('sslrootcert') ?? rootCertFile
  const caSetting =
    param('sslrootcert') !== undefined ? 'DATABASE_URL sslrootcert' : 'PGSSLROOTCERT'
  const hasFiles =
    caFile !== undefined || param('sslcert') !== undefined || param('sslkey') !== undefined
  let mode: DatabaseTlsMode | 'off' | undefined
  if (sslmode !== undefined) {
    mode = MODES[sslmode]
    if (mode === undefined)
      problems.push(
        `DATABASE_URL: sslmode=${sslmode} is unknown (one of ${Object.keys(MODES).join(', ')})`,
      )
  } else if (ssl === 'true' || ssl === '1' || hasFiles) mode = 'verify-full'
  for (const name of TLS_PARAMETERS) parsed.searchParams.delete(name)
  const target = { url: parsed.toString() }
  if (mode === 'off' || mode === undefined) {
    if (mode === 'off' && hasFiles)
      problems.push(
        `${caSetting}: sslmode=disable turns TLS off, so the certificate files would go unused`,
      )
    return { target, problems }
  }
  if (mode === 'verify-ca' && caFile === undefined)
    problems.push('DATABASE_URL: sslmode=verify-ca needs a CA (sslrootcert= or PGSSLROOTCERT)')
  const files = readTlsFiles(
    tlsFiles({
      ca: [caSetting, caFile],
      cert: ['DATABASE_URL sslcert', param('sslcert')],
      key: ['DATABASE_URL sslkey', param('sslkey')],
    }),
    read,
  )
  problems.push(...files.problems)
  return { target: { ...target, tls: { mode, ...files.material } }, problems }
}

/** What a pg.Client or pg.Pool is given to reach the database (a bare URL as it is). */
export function clientConfig(target: string | DatabaseTarget): pg.ClientConfig {
  if (typeof target === 'string') return { connectionString: target }
  const { tls } = target
  if (!tls) return { connectionString: target.url, ssl: false }
  return {
    connectionString: target.url,
    ssl: {
      rejectUnauthorized: tls.mode !== 'no-verify',
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls.key !== undefined ? { key: tls.key } : {}),
      // verify-ca: the chain is checked, the name is not.
      ...(tls.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
    },
  }
}

/** Node's codes for a server certificate that verification refused. */
const CERTIFICATE_REFUSED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * A connection's failure, said plainly when the server's certificate was refused (Node's own
 * message names neither the setting to fix nor the database); any other error as it is.
 */
export function explainConnectFailure(err: unknown): unknown {
  if (!(err instanceof Error) || !('code' in err)) return err
  const { code } = err
  if (typeof code !== 'string' || !CERTIFICATE_REFUSED.has(code)) return err
  return new MillstreamError(
    'STORE_UNAVAILABLE',
    `PostgreSQL's certificate was refused (${code}: ${err.message}): it must be signed by the CA of sslrootcert= or PGSSLROOTCERT and, under sslmode=verify-full, name the host of DATABASE_URL`,
    { cause: err },
  )
}
