import { pino } from 'pino'
import type { DomainEvent } from '../../../src/domain/events'
import type { OutboxCursor, OutboxEntry } from '../../../src/publish/outbox'
import {
  OutboxRelay,
  type EventPublisher,
  type OutboxSource,
} from '../../../src/publish/outbox-relay'

/** An outbox in memory: `append` stands for a commit. */
class MemoryOutbox implements OutboxSource {
  private readonly entries: OutboxEntry[] = []
  reads = 0

  append(event: DomainEvent): void {
    const position = this.entries.length + 1
    this.entries.push({ txId: String(position), position, event })
  }

  acquire = () => Promise.resolve(true)
  release = () => Promise.resolve()
  cursor = () => Promise.resolve({ txId: '0', position: 0 })
  save = () => Promise.resolve()
  lag = (after: OutboxCursor) => Promise.resolve(this.entries.length - after.position)

  next(after: OutboxCursor, limit: number): Promise<OutboxEntry[]> {
    this.reads++
    return Promise.resolve(this.entries.slice(after.position, after.position + limit))
  }
}

class CollectingPublisher implements EventPublisher {
  readonly sent: DomainEvent[] = []
  connect = () => Promise.resolve()
  disconnect = () => Promise.resolve()
  send(events: DomainEvent[]): Promise<void> {
    this.sent.push(...events)
    return Promise.resolve()
  }
}

const event = (sequence: number) =>
  ({ eventId: `e${sequence}`, type: 'MachineMetricsRecorded', key: 'm1', sequence }) as DomainEvent

const until = async (check: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  return check()
}

describe('the outbox relay woken by a commit', () => {
  const log = pino({ level: 'silent' })
  let running: OutboxRelay | undefined
  afterEach(() => running?.stop())
  /** A relay that polls once a minute, so only a wake makes it publish soon. */
  const slowPolling = () => {
    const outbox = new MemoryOutbox()
    const publisher = new CollectingPublisher()
    running = new OutboxRelay(outbox, publisher, { batch: 100, pollMs: 60_000 }, log)
    return { outbox, publisher, relay: running }
  }

  it('publishes at once instead of at its next poll', async () => {
    const { outbox, publisher, relay } = slowPolling()
    relay.start()
    expect(await until(() => outbox.reads === 1, 1000)).toBe(true) // now idle for a minute

    outbox.append(event(1))
    relay.wake()
    expect(await until(() => publisher.sent.length === 1, 1000)).toBe(true)
  })

  it('does not miss a commit that lands while it is busy reading', async () => {
    const { outbox, publisher, relay } = slowPolling()
    // The wake arrives before the relay goes idle: its next idle wait must not happen.
    outbox.append(event(1))
    relay.wake()
    relay.start()
    expect(await until(() => publisher.sent.length === 1, 1000)).toBe(true)
    outbox.append(event(2))
    relay.wake()
    expect(await until(() => publisher.sent.length === 2, 1000)).toBe(true)
  })

  it('without a wake, waits for its poll', async () => {
    const { outbox, publisher, relay } = slowPolling()
    relay.start()
    expect(await until(() => outbox.reads === 1, 1000)).toBe(true)
    outbox.append(event(1))
    expect(await until(() => publisher.sent.length === 1, 300)).toBe(false)
  })
})

describe('the outbox relay run once (a replay)', () => {
  const log = pino({ level: 'silent' })

  it('publishes the whole log in batches, in order, and stops when caught up', async () => {
    const outbox = new MemoryOutbox()
    for (let i = 1; i <= 25; i++) outbox.append(event(i))
    const publisher = new CollectingPublisher()
    const relay = new OutboxRelay(outbox, publisher, { batch: 10, pollMs: 0, once: true }, log)
    expect(await relay.runToEnd()).toBe(25)
    expect(publisher.sent.map((e) => e.sequence)).toEqual([...Array(25).keys()].map((i) => i + 1))
  })

  it('ends with the failure instead of retrying it', async () => {
    const outbox = new MemoryOutbox()
    outbox.append(event(1))
    const publisher = new CollectingPublisher()
    publisher.send = () => Promise.reject(new Error('broker down'))
    const relay = new OutboxRelay(outbox, publisher, { batch: 10, pollMs: 0, once: true }, log)
    await expect(relay.runToEnd()).rejects.toThrow('broker down')
  })

  it('refuses to run beside another instance publishing the same log', async () => {
    const outbox = new MemoryOutbox()
    outbox.acquire = () => Promise.resolve(false)
    const relay = new OutboxRelay(
      outbox,
      new CollectingPublisher(),
      { batch: 10, pollMs: 0, once: true },
      log,
    )
    await expect(relay.runToEnd()).rejects.toThrow('another instance is publishing this log')
  })
})
