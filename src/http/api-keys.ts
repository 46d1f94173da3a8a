import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest()

/**
 * The SHA-256 digest of the token of an `Authorization: Bearer <token>` header (scheme in any
 * case, spaces around and between trimmed), or undefined when it holds none.
 */
export function bearerDigest(authorization: string | undefined): Buffer | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec((authorization ?? '').trim())?.[1]
  return token === undefined ? undefined : digest(token)
}

/**
 * API keys, kept only as SHA-256 digests. A configured key may be given in clear or already
 * hashed as `sha256:<hex>`, so no clear key need sit in a config file. Every digest is compared
 * in constant time, and all of them each time, so timing tells nothing about which one matched.
 */
export class ApiKeys {
  private readonly digests: Buffer[]

  constructor(configured: readonly string[]) {
    this.digests = configured.map((k) =>
      k.startsWith('sha256:') ? Buffer.from(k.slice(7), 'hex') : digest(k),
    )
  }

  /** `missing`: no bearer token; `invalid`: a token that is not a configured key. */
  check(authorization: string | undefined): 'ok' | 'missing' | 'invalid' {
    const given = bearerDigest(authorization)
    if (!given) return 'missing'
    let ok = false
    for (const d of this.digests)
      ok = (d.length === given.length && timingSafeEqual(d, given)) || ok
    return ok ? 'ok' : 'invalid'
  }
}
