import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

/**
 * The embedded PostgreSQL's passwords: the superuser's, used only to set the server up at
 * start, and the service role's, used by every connection of the service.
 */
export type EmbeddedPostgresCredentials = Readonly<{ superuser: string; service: string }>

/** The superuser password every data folder had before passwords were made per folder. */
export const LEGACY_SUPERUSER_PASSWORD = 'millstream-embedded'

const stored = z.object({ superuser: z.string().min(16), service: z.string().min(16) })

/** Where the passwords are kept: in DATA_DIR, readable by its owner only. */
export const credentialsFile = (dataDir: string) => path.resolve(dataDir, 'pg-credentials.json')

/** Hex, so a password goes into a URL as it is. */
const newPassword = () => randomBytes(24).toString('hex')

/**
 * Reads the passwords of this data folder, or makes and writes them (0600) when there are none
 * yet. Written before the server is set up, so a start killed half-way finds them again.
 */
export function loadOrCreateCredentials(dataDir: string): EmbeddedPostgresCredentials {
  const file = credentialsFile(dataDir)
  if (existsSync(file)) {
    const parsed = stored.safeParse(JSON.parse(readFileSync(file, 'utf8')))
    if (parsed.success) return parsed.data
    throw new Error(`${file} does not hold the embedded PostgreSQL's passwords; move it away`)
  }
  const credentials = { superuser: newPassword(), service: newPassword() }
  const partial = `${file}.${process.pid}.tmp`
  writeFileSync(partial, JSON.stringify(credentials), { mode: 0o600 })
  renameSync(partial, file)
  return credentials
}
