import type { InputOrigin } from '../actors/ports.js'

/** A message from a source, to be acknowledged once its effect is durable. */
export type InboundMessage = {
  topic: string
  payload: Buffer
  receivedAt: number
  /** Where it was read, when it came through a partition of the ingest topic (cluster mode). */
  origin?: InputOrigin
  /** Tells the source the message is done with (committed or dead-lettered). Idempotent. */
  ack(): void
}
