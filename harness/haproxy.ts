import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { projectPath } from '../src/project-root'
import { readEnvFile } from './env-file'
import { keepLogs } from './run-logs'

const SCRIPT = projectPath('scripts', 'services', 'haproxy.sh')

/** A real HAProxy in front of the given backend ports, started by the project's script. */
export class HaproxyProcess {
  private constructor(
    private readonly runDir: string,
    readonly url: string,
    readonly statsUrl: string,
  ) {}

  static start(backendPorts: number[]): HaproxyProcess {
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'millstream-haproxy-'))
    execFileSync('bash', [SCRIPT, 'start', runDir, '0', ...backendPorts.map(String)], {
      stdio: 'pipe',
    })
    const env = readEnvFile(path.join(runDir, 'haproxy.env'))
    return new HaproxyProcess(
      runDir,
      `http://127.0.0.1:${env.HAPROXY_PORT}`,
      `http://127.0.0.1:${env.HAPROXY_STATS_PORT}/stats`,
    )
  }

  stop(): void {
    execFileSync('bash', [SCRIPT, 'stop', this.runDir], { stdio: 'pipe' })
    keepLogs('haproxy', [path.join(this.runDir, 'haproxy.log')])
  }
}
