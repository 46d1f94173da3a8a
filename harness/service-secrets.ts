import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { registerSecret } from './run-secrets'

const SECRET_NAME = /PASSWORD|PASSPHRASE|SECRET|TOKEN/
/** The project's own settings: the rest of an environment is not the run's to record. */
const PROJECT_SETTING = /^(API_KEYS$|MQTT_|KAFKA_|DATABASE_URL$|PG|TLS_|EMBEDDED_|HAPROXY_)/

/**
 * Registers every secret a service's environment carries or points to: API keys, passwords in
 * URLs, `…PASSWORD…` values, and the contents of `…PASSWORD…_FILE` files.
 */
export function registerEnvSecrets(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) {
    if (!PROJECT_SETTING.test(name)) continue
    if (name === 'API_KEYS') registerApiKeys(value)
    else if (name.endsWith('_FILE')) {
      // The path is no secret; what the file holds is.
      if (SECRET_NAME.test(name) && existsSync(value))
        registerSecret(`${name} contents`, readFileSync(value, 'utf8').trim())
    } else if (SECRET_NAME.test(name)) registerSecret(name, value)
    const password = urlPassword(value)
    if (password !== undefined) registerSecret(`${name} password`, password)
  }
}

/**
 * Registers the passwords an embedded service wrote under its data folder: the embedded
 * PostgreSQL's two, and the first-start MQTT credentials.
 */
export function registerDataDirSecrets(dataDir: string): void {
  const read = (file: string): Record<string, unknown> | undefined => {
    const full = path.join(dataDir, file)
    if (!existsSync(full)) return undefined
    return JSON.parse(readFileSync(full, 'utf8')) as Record<string, unknown>
  }
  const pg = read('pg-credentials.json')
  for (const role of ['superuser', 'service'] as const) {
    const value = pg?.[role]
    if (typeof value === 'string') registerSecret(`embedded PostgreSQL ${role} password`, value)
  }
  for (const who of ['simulator', 'gateway-1']) {
    const value = read(`mqtt-${who}.json`)?.password
    if (typeof value === 'string') registerSecret(`embedded MQTT ${who} password`, value)
  }
}

/** `name:scopes:key` entries and bare keys; a digest is registered too, harmlessly. */
function registerApiKeys(value: string): void {
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .forEach((entry, i) => {
      const parts = entry.split(':')
      const key = parts[parts.length - 1] ?? ''
      const name = parts.length >= 3 ? parts[0] : `#${i + 1}`
      registerSecret(`API key ${name}`, key)
    })
}

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined
  try {
    const password = decodeURIComponent(new URL(value).password)
    return password === '' ? undefined : password
  } catch {
    return undefined
  }
}
