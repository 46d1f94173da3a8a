/** A message from a source, to be acknowledged once its effect is durable. */
export type InboundMessage = {
  topic: string
  payload: Buffer
  receivedAt: number
  /** Tells the source the message is done with (committed or dead-lettered). Idempotent. */
  ack(): void
}
