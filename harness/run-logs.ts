import { createWriteStream, copyFileSync, existsSync, mkdirSync, type WriteStream } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../src/project-root'

/**
 * The one folder every log of a test run lands in: each service process's output, the CLI
 * runs the tests make, and copies of the logs of servers a test starts in a folder of its own.
 * The final step of scripts/test.sh scans it for the secrets the run registered.
 */
export const RUN_LOGS = projectPath('.run', 'logs')

let sequence = 0

/** A new file name in RUN_LOGS for `label` (letters, digits, `-`), unique in this run. */
export function runLogPath(label: string, extension = 'log'): string {
  mkdirSync(RUN_LOGS, { recursive: true })
  sequence += 1
  const safe = label.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60)
  return path.join(RUN_LOGS, `${safe}-${process.pid}-${Date.now()}-${sequence}.${extension}`)
}

/** An append stream to a new log file for `label`. */
export function openRunLog(label: string): WriteStream {
  return createWriteStream(runLogPath(label), { flags: 'a' })
}

/**
 * Copies the logs of a server that lives in a temporary folder (removed when its test ends)
 * into RUN_LOGS, so the scan sees them. Files that do not exist are skipped.
 */
export function keepLogs(label: string, files: string[]): void {
  const present = files.filter((f) => existsSync(f))
  if (present.length === 0) return
  const dir = runLogPath(label, 'd')
  mkdirSync(dir, { recursive: true })
  for (const file of present) copyFileSync(file, path.join(dir, path.basename(file)))
}
