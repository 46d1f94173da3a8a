import { createHash } from 'node:crypto'

/** What an API key may do; each route names the one it needs. */
export const SCOPES = ['read', 'command', 'ingest', 'publish', 'admin'] as const
export type Scope = (typeof SCOPES)[number]

/** One configured API key: a name for logs and audit records, its scopes, its SHA-256 digest. */
export type ApiKeySpec = Readonly<{
  name: string
  scopes: readonly Scope[]
  /** SHA-256 of the key, lower-case hex. */
  digest: string
}>

const DIGEST = /^sha256:([0-9a-fA-F]{64})$/
const NAME = /^[A-Za-z0-9._-]{1,64}$/

const isScope = (s: string): s is Scope => (SCOPES as readonly string[]).includes(s)

const digestOf = (keyOrDigest: string) =>
  DIGEST.exec(keyOrDigest)?.[1]?.toLowerCase() ??
  createHash('sha256').update(keyOrDigest, 'utf8').digest('hex')

/**
 * Parses `API_KEYS` entries. `name:scopes:key` (scopes joined by `+` or `|`; the key in clear
 * or as `sha256:<hex>`) gives a named key; a plain entry (a key with no `:`, or a bare
 * `sha256:<hex>`) keeps its old meaning, a key with every scope, named `key-N` by position.
 * Returns every problem at once, each naming the entry by position, never by its text (a key).
 */
export function parseApiKeyEntries(entries: readonly string[]): {
  keys: ApiKeySpec[]
  problems: string[]
} {
  const keys: ApiKeySpec[] = []
  const problems: string[] = []
  const entryOf = new Map<string, number>()
  const add = (key: ApiKeySpec, entry: number) => {
    const earlier = entryOf.get(key.digest)
    if (earlier !== undefined)
      problems.push(`API_KEYS entry ${entry}: the key repeats the key of entry ${earlier}`)
    else {
      entryOf.set(key.digest, entry)
      keys.push(key)
    }
  }
  entries.forEach((entry, i) => {
    const where = `API_KEYS entry ${i + 1}`
    if (!entry.includes(':') || DIGEST.test(entry)) {
      add({ name: `key-${i + 1}`, scopes: SCOPES, digest: digestOf(entry) }, i + 1)
      return
    }
    const [name = '', scopeText = '', ...rest] = entry.split(':')
    const secret = rest.join(':')
    const scopes = scopeText.split(/[+|]/).filter((s) => s.length > 0)
    const unknown = scopes.filter((s) => !isScope(s))
    const before = problems.length
    if (!NAME.test(name))
      problems.push(`${where}: expected name:scopes:key, with a name of letters, digits, . _ -`)
    if (scopes.length === 0)
      problems.push(`${where}: names no scope (one or more of ${SCOPES.join(', ')})`)
    if (unknown.length > 0)
      problems.push(`${where}: unknown scope ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`)
    if (secret.length === 0) problems.push(`${where}: the key is empty`)
    else if (secret.startsWith('sha256:') && !DIGEST.test(secret))
      problems.push(`${where}: a digest must be sha256: and 64 hex digits`)
    if (keys.some((k) => k.name === name)) problems.push(`${where}: the name ${name} is taken`)
    if (problems.length > before) return
    add({ name, scopes: [...new Set(scopes.filter(isScope))], digest: digestOf(secret) }, i + 1)
  })
  return { keys, problems }
}
