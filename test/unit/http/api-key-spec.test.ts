import { createHash } from 'node:crypto'
import { parseApiKeyEntries, SCOPES } from '../../../src/http/api-key-spec'
import { ApiKeys } from '../../../src/http/api-keys'

const hex = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex')

describe('API_KEYS entries', () => {
  it('read name:scopes:key, with scopes joined by + or |, the key in clear or as a digest', () => {
    const { keys, problems } = parseApiKeyEntries([
      'ops:read+command:k1',
      `line-7:ingest|publish:sha256:${hex('k2').toUpperCase()}`,
    ])
    expect(problems).toEqual([])
    expect(keys).toEqual([
      { name: 'ops', scopes: ['read', 'command'], digest: hex('k1') },
      { name: 'line-7', scopes: ['ingest', 'publish'], digest: hex('k2') },
    ])
  })

  it('keep a plain key or digest working as a key with every scope, named by position', () => {
    const { keys, problems } = parseApiKeyEntries(['s3cret', `sha256:${hex('other')}`])
    expect(problems).toEqual([])
    expect(keys).toEqual([
      { name: 'key-1', scopes: SCOPES, digest: hex('s3cret') },
      { name: 'key-2', scopes: SCOPES, digest: hex('other') },
    ])
  })

  it('report every problem at once, naming entries by position and never quoting a key', () => {
    const { keys, problems } = parseApiKeyEntries([
      'ops:read+delete:hunter2',
      'bad name:read:hunter3',
      'ops2::hunter4',
      'ops3:read:',
      'ops4:read:sha256:abc',
      'six:read:hunter5',
      'six:command:hunter6',
      'seven:read:hunter5',
    ])
    expect(keys.map((k) => k.name)).toEqual(['six'])
    expect(problems).toEqual([
      'API_KEYS entry 1: unknown scope delete (known: read, command, ingest, publish, admin)',
      'API_KEYS entry 2: expected name:scopes:key, with a name of letters, digits, . _ -',
      'API_KEYS entry 3: names no scope (one or more of read, command, ingest, publish, admin)',
      'API_KEYS entry 4: the key is empty',
      'API_KEYS entry 5: a digest must be sha256: and 64 hex digits',
      'API_KEYS entry 7: the name six is taken',
      'API_KEYS entry 8: the key repeats the key of entry 6',
    ])
    expect(problems.join('\n')).not.toMatch(/hunter/)
  })
})

describe('ApiKeys', () => {
  const keys = new ApiKeys(parseApiKeyEntries(['ops:read:k1', 'all-of-it']).keys)

  it('name the key a bearer token is, with its scopes', () => {
    const caller = keys.identify('bearer  k1 ')
    expect(caller).toMatchObject({ name: 'ops' })
    expect(typeof caller !== 'string' && [...caller.scopes]).toEqual(['read'])
    expect(keys.identify('Bearer all-of-it')).toMatchObject({ name: 'key-2' })
  })

  it('tell a missing token from an unknown one', () => {
    expect(keys.identify(undefined)).toBe('missing')
    expect(keys.identify('Basic k1')).toBe('missing')
    expect(keys.identify('Bearer k2')).toBe('invalid')
  })
})
