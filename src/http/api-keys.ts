import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest()

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
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1]
    if (!token) return 'missing'
    const given = digest(token)
    let ok = false
    for (const d of this.digests)
      ok = (d.length === given.length && timingSafeEqual(d, given)) || ok
    return ok ? 'ok' : 'invalid'
  }
}
