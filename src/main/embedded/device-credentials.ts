import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { chmod, readFile, rename, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { MillstreamError } from '../../errors.js'

/**
 * What a credential may do on the embedded broker. `device`: publish and subscribe under its own
 * machine's topics only (`{prefix}/machines/{machineId}/…`), no part or material data (a
 * gateway or the API sends those); `gateway`: the topic filters it was given.
 */
export type DeviceRole = 'device' | 'gateway'

const storedCredential = z.object({
  username: z.string().min(1),
  role: z.enum(['device', 'gateway']),
  /** A device's machine id. */
  machineId: z.string().min(1).optional(),
  /** A gateway's topic filters (MQTT wildcards allowed), for publishing and subscribing. */
  patterns: z.array(z.string().min(1)).optional(),
  /** `scrypt$N$r$p$<salt base64>$<hash base64>`. */
  hash: z.string(),
  createdAt: z.string(),
})
const credentialsFile = z.object({ credentials: z.array(storedCredential) })

/** One stored credential: the password only as a salted scrypt hash with its parameters. */
export type StoredCredential = z.infer<typeof storedCredential>

// scrypt's interactive-login parameters: 16 MiB and ~50 ms per check.
const N = 16384
const R = 8
const P = 1
const KEY_BYTES = 32

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_BYTES, { N: n, r, p, maxmem: 128 * n * r * 2 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )
}

/** A salted scrypt hash of `password`, its parameters recorded with it. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await derive(password, salt, N, R, P)
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`
}

/** Whether `password` matches `hash`, with the parameters the hash records. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = hash.split('$')
  if (kind !== 'scrypt' || !n || !r || !p || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const got = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p))
  return got.length === expected.length && timingSafeEqual(got, expected)
}

/** A new random password: 24 bytes, base64url (no character a URL or shell needs escaped). */
export const newPassword = () => randomBytes(24).toString('base64url')

/** Writes `text` to `file` readable by its owner only, replacing it whole. */
export async function writePrivate(file: string, text: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`
  await writeFile(temporary, text, { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, file)
}

/** The credentials file of the embedded broker (JSON, 0600, under the data folder). */
export class CredentialFile {
  constructor(readonly path: string) {}

  /** The stored credentials; none when the file does not exist yet. */
  async list(): Promise<StoredCredential[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    return credentialsFile.parse(JSON.parse(text)).credentials
  }

  /** Adds a credential with a new password, which is returned (and nowhere kept in clear). */
  async add(entry: Omit<StoredCredential, 'hash' | 'createdAt'>): Promise<string> {
    const all = await this.list()
    if (all.some((c) => c.username === entry.username))
      throw new MillstreamError('BAD_REQUEST', `device ${entry.username} exists: rotate it`)
    const password = newPassword()
    all.push({ ...entry, hash: await hashPassword(password), createdAt: new Date().toISOString() })
    await this.save(all)
    return password
  }

  /** Gives a credential a new password, which is returned; the old one stops working. */
  async rotate(username: string): Promise<string> {
    const all = await this.list()
    const found = all.find((c) => c.username === username)
    if (!found) throw new MillstreamError('NOT_FOUND', `no device ${username}`)
    const password = newPassword()
    found.hash = await hashPassword(password)
    found.createdAt = new Date().toISOString()
    await this.save(all)
    return password
  }

  /** Removes a credential; false when there was none. */
  async revoke(username: string): Promise<boolean> {
    const all = await this.list()
    const kept = all.filter((c) => c.username !== username)
    if (kept.length === all.length) return false
    await this.save(kept)
    return true
  }

  private save(all: StoredCredential[]): Promise<void> {
    return writePrivate(this.path, `${JSON.stringify({ version: 1, credentials: all }, null, 2)}\n`)
  }
}
