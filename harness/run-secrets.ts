import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../src/project-root'

/**
 * The run-wide list of secrets the tests and the harness made or used, one JSON object a line
 * (`{"label": …, "value": …}`), readable by its owner only. Nothing prints it: the scan of
 * the run's logs reports a found secret by its label.
 */
export const RUN_SECRETS = projectPath('.run', 'secrets.jsonl')

/** A secret and the label the scan names it by. */
export type RegisteredSecret = { label: string; value: string }

/**
 * Shorter values match too much ordinary text to be told from a leak; every secret the
 * harness makes is longer.
 */
export const MIN_SECRET_LENGTH = 8

/**
 * Adds `value` to the run's list under `label`. Values shorter than MIN_SECRET_LENGTH, and
 * the shared test services' fixed credentials (written in scripts/services/up.sh, so public),
 * are not secrets and are left out.
 */
export function registerSecret(label: string, value: string, file = RUN_SECRETS): void {
  if (value.length < MIN_SECRET_LENGTH || publicCredentials().has(value)) return
  mkdirSync(path.dirname(file), { recursive: true })
  appendFileSync(file, `${JSON.stringify({ label, value })}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
}

/** Every secret registered so far (none when the list does not exist). */
export function registeredSecrets(file = RUN_SECRETS): RegisteredSecret[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RegisteredSecret)
}

/** The password of the shared test PostgreSQL's URL: fixed in scripts/services/up.sh. */
function publicCredentials(): Set<string> {
  const shared = process.env.DATABASE_URL
  if (!shared) return new Set()
  try {
    return new Set([decodeURIComponent(new URL(shared).password)].filter((p) => p !== ''))
  } catch {
    return new Set()
  }
}
