import { parseArgs } from 'node:util'
import { MillstreamError } from '../errors.js'
import type { Config } from './config.js'
import { credentialPaths, defaultGatewayPatterns } from './embedded/broker-credentials.js'
import { CredentialFile } from './embedded/device-credentials.js'
import { tellUser, usage } from './usage.js'

/**
 * `millstream devices add|list|rotate|revoke`: the embedded broker's credentials, in the
 * data folder. A new password is printed once, on stdout, and kept only as a hash.
 */
export async function devices(config: Config, argv: string[]): Promise<number> {
  const [action, ...rest] = argv
  const file = new CredentialFile(credentialPaths(config.database.dataDir).devices)
  let parsed
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        machine: { type: 'string' },
        gateway: { type: 'boolean', default: false },
        pattern: { type: 'string', multiple: true },
      },
    })
  } catch (err) {
    return usage(err instanceof Error ? err.message : String(err))
  }
  const [name] = parsed.positionals
  try {
    switch (action) {
      case 'list':
        for (const c of await file.list())
          process.stdout.write(
            `${c.username}\t${c.role}\t${c.role === 'device' ? (c.machineId ?? c.username) : (c.patterns ?? []).join(' ')}\t${c.createdAt}\n`,
          )
        return 0
      case 'add': {
        if (!name) return usage('devices add: name the device')
        const gateway = parsed.values.gateway || parsed.values.pattern !== undefined
        const password = await file.add(
          gateway
            ? {
                username: name,
                role: 'gateway',
                patterns: parsed.values.pattern ?? defaultGatewayPatterns(config.mqtt.topicPrefix),
              }
            : { username: name, role: 'device', machineId: parsed.values.machine ?? name },
        )
        process.stdout.write(`${password}\n`)
        tellUser(`password of ${name} printed once above; only its hash is kept`)
        return 0
      }
      case 'rotate': {
        if (!name) return usage('devices rotate: name the device')
        process.stdout.write(`${await file.rotate(name)}\n`)
        tellUser(`new password of ${name} printed once above; the old one no longer works`)
        return 0
      }
      case 'revoke':
        if (!name) return usage('devices revoke: name the device')
        if (await file.revoke(name)) return 0
        tellUser(`no device ${name}`)
        return 1
      default:
        return usage(`devices: add, list, rotate or revoke, not ${action ?? 'nothing'}`)
    }
  } catch (err) {
    if (!(err instanceof MillstreamError)) throw err
    tellUser(err.message)
    return 1
  }
}
