// The command line: reads the configuration once and runs one command.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { eventCatalogJson } from '../domain/event-catalog.js'
import { createLogger, type Logger } from '../logger.js'
import { projectPath } from '../project-root.js'
import { Simulator } from '../simulate/simulator.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { replay, withDatabase } from './database-commands.js'
import { startService } from './service.js'
import { tellUser, usage, USAGE } from './usage.js'

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
      tellUser(err.message)
      return 2
    }
    throw err
  }
  const log = createLogger(config.logLevel)
  switch (command) {
    case 'start':
      return start(config, log)
    case 'simulate':
      return simulate(config, log, rest)
    case 'migrate':
      return withDatabase(config, log, () => Promise.resolve(0))
    case 'replay':
      return replay(config, log, rest)
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

async function simulate(config: Config, log: Logger, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      machines: { type: 'string', default: '10' },
      rate: { type: 'string', default: '1' },
      duration: { type: 'string', default: '0' },
      scrap: { type: 'string', default: '0.02' },
    },
  })
  const numbers = {
    machines: Number(values.machines),
    rate: Number(values.rate),
    duration: Number(values.duration),
    scrap: Number(values.scrap),
  }
  const bad = Object.entries(numbers).filter(([, v]) => !Number.isFinite(v) || v < 0)
  if (bad.length > 0 || numbers.machines < 1 || numbers.scrap > 1) {
    return usage(`invalid simulate options: ${JSON.stringify(numbers)}`)
  }
  const abort = new AbortController()
  process.once('SIGINT', () => abort.abort())
  process.once('SIGTERM', () => abort.abort())
  const simulator = new Simulator(
    {
      url: config.mqtt.url ?? `mqtt://127.0.0.1:${config.mqtt.embeddedPort}`,
      topicPrefix: config.mqtt.topicPrefix,
      machines: numbers.machines,
      rate: numbers.rate,
      durationSeconds: numbers.duration,
      scrapRate: numbers.scrap,
    },
    log.child({ module: 'simulator' }),
  )
  await simulator.run(abort.signal)
  return 0
}
