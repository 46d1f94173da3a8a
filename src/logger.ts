import { pino, type Logger } from 'pino'

export type { Logger }

/** Builds the root structured logger; modules take children of it. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'millstream' } })
}
