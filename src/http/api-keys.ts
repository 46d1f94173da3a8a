import { createHash, timingSafeEqual } from 'node:crypto'
import type { ApiKeySpec, Scope } from './api-key-spec.js'

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest()

/**
 * The SHA-256 digest of the token of an `Authorization: Bearer <token>` header (scheme in any
 * case, spaces around and between trimmed), or undefined when it holds none.
 */
export function bearerDigest(authorization: string | undefined): Buffer | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec((authorization ?? '').trim())?.[1]
  return token === undefined ? undefined : digest(token)
}

/** The key a request was made with, as routes and audit records name it. */
export type Caller = Readonly<{ name: string; scopes: ReadonlySet<Scope> }>

/** `missing`: no bearer token; `invalid`: a token that is not a configured key. */
export type Identified = Caller | 'missing' | 'invalid'

/**
 * API keys, kept only as SHA-256 digests, each with its name and scopes. Every digest is
 * compared in constant time, and all of them each time, so timing tells nothing about which
 * one matched.
 */
export class ApiKeys {
  private readonly keys: { digest: Buffer; caller: Caller }[]

  constructor(configured: readonly ApiKeySpec[]) {
    this.keys = configured.map((k) => ({
      digest: Buffer.from(k.digest, 'hex'),
      caller: { name: k.name, scopes: new Set(k.scopes) },
    }))
  }

  /** Who an `Authorization` header names. */
  identify(authorization: string | undefined): Identified {
    const given = bearerDigest(authorization)
    if (!given) return 'missing'
    let found: Caller | undefined
    for (const k of this.keys) {
      const same = k.digest.length === given.length && timingSafeEqual(k.digest, given)
      if (same) found = k.caller
    }
    return found ?? 'invalid'
  }
}
