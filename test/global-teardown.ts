import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { RUN_DIR } from './global-setup'

/** Stops the services the global setup started (not ones the caller gave or left running). */
export default function globalTeardown(): void {
  if (process.env.MILLSTREAM_TEST_STARTED_SERVICES !== '1') return
  execFileSync('bash', [path.resolve(__dirname, '../scripts/services/down.sh'), RUN_DIR], {
    stdio: 'inherit',
  })
}
