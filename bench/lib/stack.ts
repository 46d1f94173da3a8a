import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../../src/project-root'
import { readEnvFile } from '../../harness/env-file'
import type { BenchServices } from './types'

const RUN_DIR = projectPath('.run', 'bench')

/**
 * The services by the name the bench reports their CPU under: the variable of services.env
 * that holds each one's pid, and its program name in /proc (what is counted without a pid).
 */
export const SERVICE_PROCESSES = {
  PostgreSQL: { pidVariable: 'POSTGRES_PID', program: 'postgres' },
  Mosquitto: { pidVariable: 'MOSQUITTO_PID', program: 'mosquitto' },
  Kafka: { pidVariable: 'KAFKA_PID', program: 'java' },
} as const satisfies Record<string, { pidVariable: string; program: string }>

export type ServiceName = keyof typeof SERVICE_PROCESSES

/** The real services for the bench, and whether this run started them (and so stops them). */
export type BenchStack = BenchServices & {
  startedHere: boolean
  /** Each service's main process, when services.env (sourced or read) names it. */
  servicePids: Partial<Record<ServiceName, number>>
  stop(): void
}

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
      servicePids: servicePids(process.env),
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
  return { ...readServicesFile(envFile), startedHere, servicePids: servicePids(process.env), stop }
}

function servicePids(env: NodeJS.ProcessEnv): BenchStack['servicePids'] {
  const pids: BenchStack['servicePids'] = {}
  for (const name of Object.keys(SERVICE_PROCESSES) as ServiceName[]) {
    const pid = Number(env[SERVICE_PROCESSES[name].pidVariable] ?? 0)
    if (pid > 0) pids[name] = pid
  }
  return pids
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
