import { execFileSync } from 'node:child_process'
import { projectPath } from '../../src/project-root'

const CTL = projectPath('scripts', 'services', 'ctl.sh')

/** Stops, starts, pauses (SIGSTOP) or resumes (SIGCONT) one of the test services. */
export function controlService(
  action: 'stop' | 'start' | 'pause' | 'resume',
  service: 'postgres' | 'mosquitto' | 'kafka',
): void {
  const runDir = process.env.SERVICES_RUN_DIR
  if (!runDir)
    throw new Error(
      'fault injection needs the services started by scripts/services/up.sh (SERVICES_RUN_DIR)',
    )
  execFileSync('bash', [CTL, runDir, action, service], { stdio: 'pipe' })
}
