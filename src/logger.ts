import { pino, stdSerializers, type Logger } from 'pino'
import { build as prettyStream } from 'pino-pretty'
import { redactText, sanitizeUrl, REDACTED } from './security/redact.js'

export type { Logger }

/**
 * Fields that hold secrets wherever they appear in a log line's object (one level down too):
 * their values are replaced, never printed.
 */
export const REDACT_PATHS: readonly string[] = [
  'password',
  'passphrase',
  'secret',
  'token',
  'apiKey',
  'authorization',
  'sasl.password',
  '*.password',
  '*.passphrase',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.sasl.password',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  '*.headers.authorization',
]

/** How log lines are written: JSON lines, or lines for a person to read. */
export type LogFormat = 'json' | 'pretty'

/**
 * The format for `LOG_FORMAT`: `auto` is human-readable lines when stdout is a terminal, JSON
 * lines otherwise (a file, a pipe, a log collector).
 */
export function resolveLogFormat(
  setting: LogFormat | 'auto',
  stdoutIsTerminal: boolean = process.stdout.isTTY === true,
): LogFormat {
  if (setting !== 'auto') return setting
  return stdoutIsTerminal ? 'pretty' : 'json'
}

/**
 * Where log lines go in `format`: stdout as JSON lines, or through pino-pretty (in this thread,
 * synchronously, so a line written just before an exit is not lost). The redaction applies
 * before either, so pretty lines hide the same secrets.
 */
export function logDestination(
  format: LogFormat,
  out?: NodeJS.WritableStream,
): pino.DestinationStream {
  if (format === 'json') return out ?? pino.destination({ dest: 1, sync: true })
  return prettyStream({
    destination: out ?? 1,
    sync: true,
    colorize: out === undefined && process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service',
  })
}

/** Builds the root structured logger; modules take children of it. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'millstream' },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    // Credentials reach logs inside URLs and error texts (a driver quoting its connection
    // string, a URL given to a client): these fields are sanitised on the way out.
    serializers: {
      err: redactedError,
      error: redactedError,
      url: redactedUrl,
      mqttUrl: redactedUrl,
      databaseUrl: redactedUrl,
    },
  }
  return destination ? pino(options, destination) : pino(options)
}

function redactedUrl(value: unknown): unknown {
  return typeof value === 'string' ? sanitizeUrl(value) : value
}

function redactedError(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value)
  if (!(value instanceof Error)) return value
  const serialized = stdSerializers.err(value)
  serialized.message = redactText(serialized.message)
  serialized.stack = redactText(serialized.stack)
  return serialized
}
