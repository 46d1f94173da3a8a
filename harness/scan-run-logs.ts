import { projectPath } from '../src/project-root'
import { RUN_LOGS } from './run-logs'
import { registeredSecrets, RUN_SECRETS } from './run-secrets'
import { logFiles, scanFiles } from './secret-scan'

/** Where to look and what for. */
export type ScanPlan = {
  /** Folders scanned with everything under them. */
  logDirs: string[]
  /** Folders whose own files only are scanned (the servers' data folders below are not logs). */
  shallowDirs: string[]
  secretsFile: string
  /** A run that registered no secret proves nothing: fail it. */
  requireSecrets: boolean
}

/** The test run's own: .run/logs, the shared services' logs in .run/services, .run/secrets.jsonl. */
export const RUN_PLAN: ScanPlan = {
  logDirs: [RUN_LOGS],
  shallowDirs: [projectPath('.run', 'services')],
  secretsFile: RUN_SECRETS,
  requireSecrets: false,
}

/**
 * Scans the plan's logs for every registered secret. The lines it returns name files and
 * labels, never a secret; `failed` when a secret was found (or none was registered and one
 * was required).
 */
export function scanRunLogs(plan: ScanPlan): { failed: boolean; lines: string[] } {
  const secrets = registeredSecrets(plan.secretsFile)
  const files = [
    ...plan.logDirs.flatMap((d) => logFiles(d)),
    ...plan.shallowDirs.flatMap((d) => logFiles(d, true)),
  ]
  const findings = scanFiles(files, secrets)
  const lines = findings.map((f) => `secret "${f.label}" (${f.form}) found in ${f.file}`)
  const summary = `secret scan: ${secrets.length} secrets, ${files.length} log files, ${findings.length} findings`
  if (secrets.length === 0 && plan.requireSecrets)
    return { failed: true, lines: [`${summary}: no secret was registered, so nothing was proven`] }
  return { failed: findings.length > 0, lines: [...lines, summary] }
}

if (require.main === module) {
  const { failed, lines } = scanRunLogs({
    ...RUN_PLAN,
    requireSecrets: process.argv.includes('--require-secrets'),
  })
  for (const line of lines) process.stderr.write(`${line}\n`)
  process.exitCode = failed ? 1 : 0
}
