/** Fields every event carries (DESIGN §4). Times are epoch milliseconds. */
export type EventEnvelope<TType extends string> = {
  eventId: string
  type: TType
  key: string
  sequence: number
  occurredAt: number
  recordedAt: number
}

/** A machine produced one part. */
export type PartProduced = EventEnvelope<'PartProduced'> & {
  machineId: string
  partId: number
  order: number
  damaged: boolean
  var1: number | null
  var2: string | null
  var3: string | null
  var4: number | null
  messageId: string | null
}

/** Every event millstream emits. */
export type DomainEvent = PartProduced

/** The kind of entity whose actor owns an event stream. */
export type EntityType = 'machine'
