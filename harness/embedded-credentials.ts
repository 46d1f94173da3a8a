import { readFileSync } from 'node:fs'
import path from 'node:path'

/**
 * The embedded broker's URL for `port` with a credential the service wrote on first start in
 * `dataDir` (`simulator` or `gateway-1`, both gateways of the service's topic prefix).
 */
export function embeddedBrokerUrl(
  port: number,
  dataDir: string,
  who: 'simulator' | 'gateway-1' = 'gateway-1',
): string {
  const { username, password } = embeddedCredential(dataDir, who)
  return `mqtt://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`
}

/** A credential the service wrote in clear (0600) under `dataDir`. */
export function embeddedCredential(
  dataDir: string,
  who: 'simulator' | 'gateway-1',
): { username: string; password: string } {
  return JSON.parse(readFileSync(path.join(dataDir, `mqtt-${who}.json`), 'utf8')) as {
    username: string
    password: string
  }
}
