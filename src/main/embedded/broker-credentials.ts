import { timingSafeEqual } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { Logger } from '../../logger.js'
import { serviceClientId, type BrokerIdentity } from './broker-acl.js'
import { CredentialFile, newPassword, verifyPassword, writePrivate } from './device-credentials.js'
import { LEGACY_PRODUCTION_TOPIC } from '../../domain/topics.js'

/** The user name of the service's own clients; no stored credential may take it. */
export const SERVICE_USERNAME = 'millstream-service'

/** Where the embedded broker's credentials live under the data folder. */
export const credentialPaths = (dataDir: string) => ({
  devices: path.join(dataDir, 'mqtt-devices.json'),
  /** The simulator's credential in clear (0600), for `millstream simulate`. */
  simulator: path.join(dataDir, 'mqtt-simulator.json'),
  gateway: path.join(dataDir, 'mqtt-gateway-1.json'),
})

/** What a gateway made without patterns of its own may use: the inputs and Sparkplug. */
export const defaultGatewayPatterns = (topicPrefix: string) => [
  `${topicPrefix}/#`,
  LEGACY_PRODUCTION_TOPIC,
  'spBv1.0/#',
]

/** A credential in clear, as written for the simulator and the first gateway. */
export type ClearCredential = { username: string; password: string }

/**
 * On first start (no credential stored yet), one gateway credential for the simulator and one
 * for a first gateway, each also written in clear to its own file (0600) so `millstream
 * simulate` and a first real gateway need no manual step. Logs where, never the passwords.
 */
export async function provisionFirstStart(
  dataDir: string,
  topicPrefix: string,
  log: Logger,
): Promise<void> {
  await mkdir(dataDir, { recursive: true })
  const paths = credentialPaths(dataDir)
  const file = new CredentialFile(paths.devices)
  if ((await file.list()).length > 0) return
  const patterns = defaultGatewayPatterns(topicPrefix)
  for (const [username, where] of [
    ['simulator', paths.simulator],
    ['gateway-1', paths.gateway],
  ] as const) {
    const password = await file.add({ username, role: 'gateway', patterns })
    await writePrivate(where, `${JSON.stringify({ username, password })}\n`)
  }
  log.info(
    { devices: paths.devices, simulator: paths.simulator, gateway: paths.gateway },
    'embedded MQTT broker: credentials for the simulator and a first gateway written (0600)',
  )
}

/** A credential written in clear by {@link provisionFirstStart}, or undefined if none. */
export async function readClearCredential(file: string): Promise<ClearCredential | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ClearCredential
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * Checks a connecting client: the service by its password of this run, any other by the
 * credentials file (read at each connect, so `millstream devices revoke` takes effect at once).
 * The service's client ids are reserved to the service.
 */
export function identifier(options: {
  devicesFile: string
  servicePassword: string
  serviceClientId: string
}): (
  username: string | undefined,
  password: Buffer | undefined,
  clientId: string,
) => Promise<BrokerIdentity | 'bad-credentials' | 'reserved-client-id'> {
  const file = new CredentialFile(options.devicesFile)
  const service = Buffer.from(options.servicePassword)
  return async (username, password, clientId) => {
    if (username === undefined || password === undefined) return 'bad-credentials'
    if (username === SERVICE_USERNAME)
      return password.length === service.length && timingSafeEqual(password, service)
        ? { kind: 'service' }
        : 'bad-credentials'
    const stored = (await file.list()).find((c) => c.username === username)
    if (!stored || !(await verifyPassword(password.toString('utf8'), stored.hash)))
      return 'bad-credentials'
    if (serviceClientId(clientId, options.serviceClientId)) return 'reserved-client-id'
    return stored.role === 'device'
      ? { kind: 'device', username, machineId: stored.machineId ?? username }
      : { kind: 'gateway', username, patterns: stored.patterns ?? [] }
  }
}

export { newPassword }
