import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../../src/project-root'
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
  const env = parseEnvFile(readFileSync(envFile, 'utf8'))
  // test/support's helpers (fresh databases, service processes) read these.
  Object.assign(process.env, env)
  const stop = () => {
    if (startedHere)
      execFileSync('bash', [projectPath('scripts', 'services', 'down.sh'), RUN_DIR], {
        stdio: 'ignore',
      })
  }
  return {
    databaseUrl: required(env, 'DATABASE_URL'),
    mqttUrl: required(env, 'MQTT_URL'),
    kafkaBrokers: required(env, 'KAFKA_BROKERS'),
    startedHere,
    stop,
  }
}

function parseEnvFile(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^(?:export )?([A-Z_]+)=(.*)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]?.replace(/^(['"])(.*)\1$/, '$2')]),
  ) as Record<string, string>
}

function required(env: Record<string, string>, name: string): string {
  const value = env[name]
  if (!value) throw new Error(`${name} missing from ${RUN_DIR}/services.env`)
  return value
}
