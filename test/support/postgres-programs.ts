import { execFileSync } from 'node:child_process'
import path from 'node:path'

/** PostgreSQL 15's programs, as Debian installs them. */
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

/**
 * `setpriv` arguments that run a PostgreSQL program as the postgres user: the server refuses
 * root, and peer logins over the Unix socket want that user.
 */
export const asPostgres = (program: string, args: string[]) => [
  '--reuid=postgres',
  '--regid=postgres',
  '--init-groups',
  path.isAbsolute(program) ? program : path.join(PG_BIN, program),
  ...args,
]

/** Makes a new cluster in `data` (its parent owned by postgres): UTF8, C locale. */
export function initCluster(data: string): void {
  execFileSync(
    'setpriv',
    asPostgres('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--locale=C',
      '-A',
      'reject',
    ]),
    { stdio: 'ignore', timeout: 60_000 },
  )
}
