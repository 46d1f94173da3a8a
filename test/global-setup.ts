import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** Where the project's service scripts keep the test services. */
export const RUN_DIR = path.resolve(__dirname, '../.run/services')
const ROOT = path.resolve(__dirname, '..')

/**
 * Integration tests run against real PostgreSQL, Mosquitto and Kafka. If the environment names
 * them (DATABASE_URL, MQTT_URL, KAFKA_BROKERS) they are used; otherwise the project's own
 * scripts start them on free ports, and the teardown stops what this setup started.
 */
export default function globalSetup(): void {
  const given = ['DATABASE_URL', 'MQTT_URL', 'KAFKA_BROKERS'].every((k) => process.env[k])
  if (!given) {
    const alreadyUp = existsSync(path.join(RUN_DIR, 'services.env'))
    execFileSync('bash', [path.join(ROOT, 'scripts/services/up.sh'), RUN_DIR], {
      stdio: 'inherit',
      cwd: ROOT,
    })
    if (!alreadyUp) process.env.MILLSTREAM_TEST_STARTED_SERVICES = '1'
    for (const line of readFileSync(path.join(RUN_DIR, 'services.env'), 'utf8').split('\n')) {
      const m = /^export ([A-Z_0-9]+)=(.*)$/.exec(line.trim())
      if (m) process.env[m[1] as string] = (m[2] as string).replace(/^['"]|['"]$/g, '')
    }
  }
  // Tests start the service from the built CLI, as users do: build it from the current source.
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', cwd: ROOT })
}
