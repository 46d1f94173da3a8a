// The command line: reads the configuration once and runs one command.
import { readFileSync } from 'node:fs'
import { eventCatalogJson } from '../domain/event-catalog.js'
import { MillstreamError } from '../errors.js'
import { createLogger, logDestination, resolveLogFormat, type Logger } from '../logger.js'
import { projectPath } from '../project-root.js'
import { redactText } from '../security/redact.js'
import { parseSimulateArgs } from '../simulate/options.js'
import { writePlantModel } from '../simulate/plant-model-out.js'
import { Simulator } from '../simulate/simulator.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { replay, withDatabase } from './database-commands.js'
import { parked } from './parked-command.js'
import { devices } from './devices-command.js'
import { credentialPaths, readClearCredential } from './embedded/broker-credentials.js'
import { retention } from './retention-command.js'
import { startService } from './service.js'
import { tellUser, usage, USAGE } from './usage.js'

// Long enough for the service's embedded broker to come up when both are started together.
const SIMULATOR_CONNECT_TIMEOUT_MS = 15_000

const version = (
  JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as {
    version: string
  }
).version

/** Runs one command; resolves with the process's exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  let config: Config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      tellUser(redactText(err.message))
      return 2
    }
    throw err
  }
  const log = createLogger(config.logLevel, logDestination(resolveLogFormat(config.logFormat)))
  switch (command) {
    case 'start':
      return start(config, log)
    case 'simulate':
      return simulate(config, log, rest)
    case 'migrate':
      return withDatabase(config, log, () => Promise.resolve(0))
    case 'replay':
      return replay(config, log, rest)
    case 'retention':
      return retention(config, log, rest)
    case 'parked':
      return parked(config, log, rest)
    case 'devices':
      return devices(config, rest)
    case 'catalog':
      process.stdout.write(eventCatalogJson())
      return 0
    default:
      tellUser(USAGE)
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2
  }
}

async function start(config: Config, log: Logger): Promise<number> {
  const service = await startService(config, log, version)
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      log.info({ signal }, 'shutting down')
      const force = setTimeout(() => {
        log.error('shutdown timed out; exiting')
        process.exit(1)
      }, config.shutdownTimeoutMs)
      force.unref()
      service.stop().then(resolve, resolve)
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
  log.info('stopped')
  return 0
}

/** The embedded broker's URL, with the simulator's credential the service wrote, if any. */
async function embeddedBrokerUrl(config: Config): Promise<string> {
  const url = new URL(`mqtt://127.0.0.1:${config.mqtt.embeddedPort}`)
  const credential = config.mqtt.embeddedAuth
    ? await readClearCredential(credentialPaths(config.database.dataDir).simulator)
    : undefined
  if (credential) {
    url.username = credential.username
    url.password = credential.password
  }
  return url.toString()
}

async function simulate(config: Config, log: Logger, argv: string[]): Promise<number> {
  const parsed = parseSimulateArgs(argv)
  if (!parsed.ok) return usage(parsed.problem)
  if (parsed.args.plantModelOut !== undefined) {
    await writePlantModel(parsed.args, parsed.args.plantModelOut)
    return 0
  }
  const abort = new AbortController()
  const stop = () => abort.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const simulator = new Simulator(
    {
      ...parsed.args,
      url: config.mqtt.url ?? (await embeddedBrokerUrl(config)),
      topicPrefix: config.mqtt.topicPrefix,
      connectTimeoutMs: SIMULATOR_CONNECT_TIMEOUT_MS,
      publishTimeoutMs: config.mqtt.publishTimeoutMs,
    },
    log.child({ module: 'simulator' }),
  )
  try {
    await simulator.run(abort.signal)
    return 0
  } catch (err) {
    if (!(err instanceof MillstreamError)) throw err
    log.error({ err }, 'simulator stopped')
    return 1
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
  }
}
