import { pino, stdSerializers, type Logger } from 'pino'
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
