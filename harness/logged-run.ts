import { execFile, type ChildProcess, type ExecFileOptions } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { projectPath } from '../src/project-root'
import { openRunLog, runLogPath } from './run-logs'
import { registerEnvSecrets } from './service-secrets'

/** What a finished command printed. */
export type RunOutput = { stdout: string; stderr: string }

/** Options of `execFile`, plus what the run's log may keep. */
export type LoggedRunOptions = ExecFileOptions & {
  /** Names the log file (`cli-devices`, `provision-device`). */
  label: string
  /**
   * The command prints a new credential on stdout by design (`millstream devices add`): the
   * log keeps its stderr only, and says so.
   */
  stdoutIsSecret?: boolean
}

/**
 * `execFile` that also writes the command's output to the run's logs (scanned for secrets at
 * the end of the run). Resolves or rejects as `promisify(execFile)` does: a failure carries
 * `code`, `stdout` and `stderr`.
 */
export function runLogged(
  file: string,
  args: string[],
  options: LoggedRunOptions,
): Promise<RunOutput> {
  const { label, stdoutIsSecret = false, ...execOptions } = options
  const env = Object.entries(execOptions.env ?? {}).filter(
    (e): e is [string, string] => e[1] !== undefined,
  )
  registerEnvSecrets(Object.fromEntries(env))
  return new Promise((resolve, reject) => {
    execFile(file, args, { ...execOptions, encoding: 'utf8' }, (error, stdout, stderr) => {
      const kept = stdoutIsSecret ? '(stdout not kept: it holds a new credential)\n' : stdout
      writeFileSync(
        runLogPath(label),
        `$ ${file} ${args.join(' ')}\n--- stdout\n${kept}\n--- stderr\n${stderr}`,
      )
      if (error) {
        const failure: Error = Object.assign(error, { stdout, stderr })
        reject(failure)
      } else resolve({ stdout, stderr })
    })
  })
}

/** Copies a spawned child's stdout and stderr to a new file in the run's logs. */
export function logChildOutput(label: string, child: ChildProcess): void {
  const file = openRunLog(label)
  child.stdout?.on('data', (chunk: Buffer) => file.write(chunk))
  child.stderr?.on('data', (chunk: Buffer) => file.write(chunk))
  child.once('close', () => file.end())
}

/** How a start the configuration stops ended: its exit code and what it printed on stderr. */
export type RefusedStart = { code: number | undefined; stderr: string }

/**
 * Runs `millstream start` with only PATH and `env`, expecting it to stop before serving (a
 * wrong setting): resolves with its exit code and stderr, or undefined if it started.
 */
export function refusedStart(env: Record<string, string>): Promise<RefusedStart | undefined> {
  return runLogged(process.execPath, [projectPath('dist', 'cli.js'), 'start'], {
    label: 'cli-start-refused',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 30_000,
  }).then(
    () => undefined,
    (err: Error & { code?: number; stderr?: string }) => ({
      code: err.code,
      stderr: err.stderr ?? '',
    }),
  )
}
