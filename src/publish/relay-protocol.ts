import type { DatabaseTarget } from '../journal/database-target.js'
import type { LogFormat } from '../logger.js'
import type { KafkaSecurity } from './kafka-security.js'
import type { RelayStatus } from './outbox-relay.js'

/** What the relay thread needs to build its own connections (plain data: it crosses threads). */
export type RelayWorkerData = {
  database: string | DatabaseTarget
  relayName: string
  producer: {
    brokers: string[]
    clientId: string
    security: KafkaSecurity
    topicPrefix: string
    partitions: number
    replicationFactor: number
    maxMessageBytes: number
  }
  batch: number
  pollMs: number
  logLevel: string
  /** The main thread's resolved format: a worker's stdout is never a terminal itself. */
  logFormat: LogFormat
}

/** Main thread → relay thread. */
export type ToRelay = { type: 'lag'; id: number } | { type: 'nudge' } | { type: 'stop' }

/** Relay thread → main thread. */
export type FromRelay =
  | { type: 'status'; status: RelayStatus }
  | { type: 'lag'; id: number; lag: number | undefined }
  | { type: 'stopped' }
