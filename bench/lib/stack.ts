import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../../src/project-root'
import { readEnvFile } from '../../harness/env-file'
import type { BenchServices } from './types'

const RUN_DIR = projectPath('.run', 'bench')

/** The real services for the bench, and whether this run started them (and so stops them). */
export type BenchStack = BenchServices & { startedHere: boolean; stop(): void }

/**
 * PostgreSQL, Mosquitto and Kafka as local processes, started by the project's own script in
 * `.run/bench` (left alone if already running there), unless the environment names running ones.
 */
export function startStack(log: (line: string) => void): BenchStack {
  const { DATABASE_URL, MQTT_URL, KAFKA_BROKERS } = process.env
  if (DATABASE_URL && MQTT_URL && KAFKA_BROKERS) {
    return {
      databaseUrl: DATABASE_URL,
      mqttUrl: MQTT_URL,
      kafkaBrokers: KAFKA_BROKERS,
      startedHere: false,
      stop: () => {},
    }
  }
  const envFile = path.join(RUN_DIR, 'services.env')
  const startedHere = !existsSync(envFile)
  log(`starting PostgreSQL, Mosquitto and Kafka in ${RUN_DIR}`)
  execFileSync('bash', [projectPath('scripts', 'services', 'up.sh'), RUN_DIR], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  // harness/'s helpers (fresh databases, service processes) read these.
  Object.assign(process.env, readEnvFile(envFile))
  const stop = () => {
    if (startedHere)
      execFileSync('bash', [projectPath('scripts', 'services', 'down.sh'), RUN_DIR], {
        stdio: 'ignore',
      })
  }
  return { ...readServicesFile(envFile), startedHere, stop }
}

/** The services named in a services.env written by scripts/services/up.sh. */
export function readServicesFile(file: string): BenchServices {
  const env = readEnvFile(file)
  return {
    databaseUrl: required(env, 'DATABASE_URL', file),
    mqttUrl: required(env, 'MQTT_URL', file),
    kafkaBrokers: required(env, 'KAFKA_BROKERS', file),
  }
}

function required(env: Record<string, string>, name: string, file: string): string {
  const value = env[name]
  if (!value) throw new Error(`${name} missing from ${file}`)
  return value
}
