import { pino } from 'pino'
import type { DomainEvent } from '../../../src/domain/events'
import { OutboxRelay, type OutboxSource } from '../../../src/publish/outbox-relay'
import type { OutboxCursor, OutboxEntry } from '../../../src/publish/outbox'
import type { ParkedSummary, ParkingLot, RequestedRecord } from '../../../src/publish/parking-lot'
import { publishIsolating } from '../../../src/publish/poison-isolation'
import type { Refusal } from '../../../src/publish/refusal'
import { RefusingPublisher } from '../../doubles/refusing-publisher'

const event = (key: string, sequence: number) =>
  ({
    eventId: `${key}-${sequence}`,
    type: 'MachineMetricsRecorded',
    key,
    sequence,
  }) as DomainEvent
const tooLarge: Refusal = { code: 'MESSAGE_TOO_LARGE', reason: 'too large' }

describe('isolating records Kafka refuses for good', () => {
  const ports = (publisher: RefusingPublisher, parked: DomainEvent[]) => ({
    send: (part: DomainEvent[]) => publisher.send(part),
    renew: async () => {
      await publisher.disconnect()
      await publisher.connect()
    },
    park: (e: DomainEvent) => Promise.resolve(void parked.push(e)),
  })

  it('parks only the refused records and publishes the rest in order', async () => {
    const publisher = new RefusingPublisher()
    const batch = Array.from({ length: 10 }, (_, i) => event('m1', i + 1))
    publisher.refused.add('m1-4').add('m1-9')
    const parked: DomainEvent[] = []
    expect(await publishIsolating(batch, tooLarge, ports(publisher, parked))).toBe(2)
    expect(parked.map((e) => e.eventId)).toEqual(['m1-4', 'm1-9'])
    expect(publisher.sent.map((s) => s.event.sequence)).toEqual([1, 2, 3, 5, 6, 7, 8, 10])
  })

  it('takes a fresh producer after each refusal, before sending again', async () => {
    const publisher = new RefusingPublisher()
    publisher.refused.add('m1-1')
    await publishIsolating([event('m1', 1), event('m1', 2)], tooLarge, ports(publisher, []))
    // One for the refused batch, one for its refused half.
    expect(publisher.renewals).toBe(2)
  })

  it('ends with an outage that happens while it narrows down, parking nothing', async () => {
    const publisher = new RefusingPublisher()
    publisher.down = true
    const parked: DomainEvent[] = []
    await expect(
      publishIsolating([event('m1', 1), event('m1', 2)], tooLarge, ports(publisher, parked)),
    ).rejects.toThrow('ECONNREFUSED')
    expect(parked).toEqual([])
  })
})

/** An outbox in memory whose saved cursor can be read back. */
class MemoryOutbox implements OutboxSource {
  readonly entries: OutboxEntry[] = []
  saved: OutboxCursor = { txId: '0', position: 0 }
  append(e: DomainEvent): void {
    const position = this.entries.length + 1
    this.entries.push({ txId: String(position), position, event: e })
  }
  acquire = () => Promise.resolve(true)
  release = () => Promise.resolve()
  cursor = () => Promise.resolve(this.saved)
  save = (c: OutboxCursor) => Promise.resolve(void (this.saved = c))
  lag = (after: OutboxCursor) => Promise.resolve(this.entries.length - after.position)
  next = (after: OutboxCursor, limit: number) =>
    Promise.resolve(this.entries.slice(after.position, after.position + limit))
}

class MemoryParkingLot implements ParkingLot {
  readonly rows: {
    id: number
    event: DomainEvent
    refusal: Refusal
    requested: boolean
    done: boolean
  }[] = []
  park = (e: DomainEvent, refusal: Refusal) =>
    Promise.resolve(
      void this.rows.push({
        id: this.rows.length + 1,
        event: e,
        refusal,
        requested: false,
        done: false,
      }),
    )
  summary = (): Promise<ParkedSummary> => {
    const waiting = this.rows.filter((r) => !r.done)
    const newest = waiting.at(-1)
    return Promise.resolve({
      waiting: waiting.length,
      ...(newest
        ? {
            newest: {
              eventId: newest.event.eventId,
              type: newest.event.type,
              key: newest.event.key,
              code: newest.refusal.code,
              reason: newest.refusal.reason,
            },
          }
        : {}),
    })
  }
  requested = (): Promise<RequestedRecord[]> =>
    Promise.resolve(
      this.rows
        .filter((r) => r.requested && !r.done)
        .map((r) => ({ id: r.id, event: r.event, parkedAt: 1_700_000_000_000 })),
    )
  republished = (id: number) =>
    Promise.resolve(void this.rows.filter((r) => r.id === id).forEach((r) => (r.done = true)))
  refusedAgain = (id: number, refusal: Refusal) =>
    Promise.resolve(
      void this.rows
        .filter((r) => r.id === id)
        .forEach((r) => Object.assign(r, { refusal, requested: false })),
    )
}

const until = async (check: () => boolean, ms = 3000): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  return check()
}

describe('the outbox relay with a record Kafka refuses for good', () => {
  const log = pino({ level: 'silent' })

  it('parks it, moves its cursor past it and keeps publishing the key’s later events', async () => {
    const outbox = new MemoryOutbox()
    for (let i = 1; i <= 6; i++) outbox.append(event(i % 2 ? 'm1' : 'm2', i))
    const publisher = new RefusingPublisher()
    publisher.refused.add('m1-3')
    const parking = new MemoryParkingLot()
    const relay = new OutboxRelay(outbox, publisher, { batch: 4, pollMs: 5, parking }, log)
    relay.start()
    try {
      expect(await until(() => publisher.sent.length === 5)).toBe(true)
      expect(publisher.sent.map((s) => s.event.eventId)).toEqual([
        'm1-1',
        'm2-2',
        'm2-4',
        'm1-5',
        'm2-6',
      ])
      expect(parking.rows.map((r) => [r.event.eventId, r.refusal.code])).toEqual([
        ['m1-3', 'MESSAGE_TOO_LARGE'],
      ])
      expect(await until(() => outbox.saved.position === 6)).toBe(true)
      expect(relay.status()).toMatchObject({
        lastError: undefined,
        parked: { waiting: 1, newest: { eventId: 'm1-3' } },
      })
    } finally {
      await relay.stop()
    }
  })

  it('republishes it on request once Kafka takes it, with headers saying it is late', async () => {
    const outbox = new MemoryOutbox()
    outbox.append(event('m1', 1))
    outbox.append(event('m1', 2))
    const publisher = new RefusingPublisher()
    publisher.refused.add('m1-1')
    const parking = new MemoryParkingLot()
    const relay = new OutboxRelay(outbox, publisher, { batch: 10, pollMs: 5, parking }, log)
    relay.start()
    try {
      expect(await until(() => parking.rows.length === 1 && publisher.sent.length === 1)).toBe(true)
      // Asked for while the limit still refuses it: it stays parked, the request is dropped.
      ;(parking.rows[0] as { requested: boolean }).requested = true
      expect(await until(() => parking.rows[0]?.requested === false)).toBe(true)
      expect(parking.rows[0]?.done).toBe(false)
      // The operator raised the limit and asks again.
      publisher.refused.clear()
      ;(parking.rows[0] as { requested: boolean }).requested = true
      expect(await until(() => parking.rows[0]?.done === true)).toBe(true)
      expect(publisher.sent.at(-1)).toEqual({
        event: event('m1', 1),
        headers: { 'parked-at': '2023-11-14T22:13:20.000Z', 'republished-out-of-order': 'true' },
      })
      expect(await until(() => relay.status().parked.waiting === 0)).toBe(true)
    } finally {
      await relay.stop()
    }
  })

  it('without a parking lot, retries a refused batch as it retries an outage', async () => {
    const outbox = new MemoryOutbox()
    outbox.append(event('m1', 1))
    const publisher = new RefusingPublisher()
    publisher.refused.add('m1-1')
    const relay = new OutboxRelay(
      outbox,
      publisher,
      { batch: 10, pollMs: 5, maxBackoffMs: 10 },
      log,
    )
    relay.start()
    try {
      expect(await until(() => publisher.sends >= 3)).toBe(true)
      expect(outbox.saved.position).toBe(0)
      expect(relay.status().lastError).toMatch(/max message size/)
    } finally {
      await relay.stop()
    }
  })
})
