import { pino } from 'pino'
import type { EventType } from '../../../src/domain/event-catalog'
import type { EntityType } from '../../../src/domain/events'
import { LiveStream } from '../../../src/read/live-stream'
import { compareCursors, LOG_START, type LogCursor } from '../../../src/read/log-cursor'
import { LogTail, type ChangeLog, type LogChange } from '../../../src/read/log-tail'
import type { StreamMessage, StreamSink } from '../../../src/read/ports'
import type { StreamStores } from '../../../src/read/stream-rows'

/** The committed log in memory; `commit` appends a change. */
class MemoryLog implements ChangeLog {
  readonly rows: LogChange[] = []
  reads = 0
  /** Reads of a resume's catch-up (the only ones bounded by `upTo`). */
  catchUpReads = 0
  private tx = 1000n

  commit(kind: EntityType, entityId: string, type: EventType, sequence = 1): LogChange {
    const c = {
      cursor: { txId: ++this.tx, position: this.rows.length + 1 },
      kind,
      entityId,
      type,
      sequence,
    }
    this.rows.push(c)
    return c
  }

  head(): Promise<LogCursor> {
    return Promise.resolve(this.rows.at(-1)?.cursor ?? LOG_START)
  }

  after(after: LogCursor, limit: number, upTo?: LogCursor): Promise<LogChange[]> {
    this.reads++
    if (upTo) this.catchUpReads++
    const rows = this.rows.filter(
      (r) => compareCursors(r.cursor, after) > 0 && (!upTo || compareCursors(r.cursor, upTo) <= 0),
    )
    return Promise.resolve(rows.slice(0, limit))
  }

  holds(cursor: LogCursor): Promise<boolean> {
    return Promise.resolve(this.rows.some((r) => compareCursors(r.cursor, cursor) === 0))
  }
}

/** A client: collects messages; `full` makes writes report a full socket until `drain`. */
class Client implements StreamSink {
  readonly messages: StreamMessage[] = []
  full = false
  ended = false
  aborted = false
  private drained: (() => void)[] = []

  send(messages: readonly StreamMessage[]): boolean {
    this.messages.push(...messages)
    return !this.full
  }
  keepalive = () => !this.full
  onDrain(resume: () => void): void {
    this.drained.push(resume)
  }
  end(): void {
    this.ended = true
  }
  abort(): void {
    this.aborted = true
  }
  drain(): void {
    this.full = false
    for (const d of this.drained.splice(0)) d()
  }
  events = () => this.messages.map((m) => m.event)
  updates = () => this.messages.filter((m) => m.event !== 'hello' && m.event !== 'reset')
}

/** Rows that say only which entity they are. */
const stores: StreamStores = {
  machines: {
    many: (ids) => Promise.resolve(ids.map((machineId) => ({ machineId }) as never)),
  },
  catalog: {
    manyParts: (ids) => Promise.resolve(ids.map((partId) => ({ partId }) as never)),
    manyMaterials: (ids) => Promise.resolve(ids.map((materialId) => ({ materialId }) as never)),
  },
  deadLetters: {
    many: (ids) =>
      Promise.resolve(
        ids.map((id) => ({
          id,
          source: 'factory/bad',
          reason: 'no',
          receivedAt: new Date(0),
          recordedAt: new Date(0),
        })),
      ),
  },
}

const ALL = new Set<EntityType>(['machine', 'part', 'material', 'deadletter'])
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await sleep(5)
  if (!ok()) throw new Error(`timed out waiting for ${what}`)
}

describe('the live stream', () => {
  let log: MemoryLog
  let tail: LogTail
  let live: LiveStream
  let subscribers: number

  function start(
    resumeMaxEvents = 1000,
    rows: StreamStores = stores,
    headOf: (log: MemoryLog) => ChangeLog = (l) => l,
    bounds: {
      maxSubscribers?: number
      maxSubscribersPerClient?: number
      slowClientMs?: number
    } = {},
  ): void {
    log = new MemoryLog()
    tail = new LogTail(headOf(log), { pollMs: 5, batch: 3, log: pino({ level: 'silent' }) })
    live = new LiveStream(tail, log, rows, {
      flushMs: 20,
      keepaliveMs: 1000,
      resumeMaxEvents,
      batch: 3,
      deadlineMs: 1000,
      log: pino({ level: 'silent' }),
      onSubscribers: (n) => (subscribers = n),
      ...bounds,
    })
  }
  afterEach(() => live.close())

  it('refuses a subscriber past its address’s cap with a retry delay, and takes one once a slot frees', async () => {
    start(1000, stores, (l) => l, { maxSubscribers: 10, maxSubscribersPerClient: 2 })
    const first = await live.subscribe({ filter: { kinds: ALL }, client: 'a' }, new Client())
    await live.subscribe({ filter: { kinds: ALL }, client: 'a' }, new Client())
    await expect(
      live.subscribe({ filter: { kinds: ALL }, client: 'a' }, new Client()),
    ).rejects.toMatchObject({ code: 'READS_BUSY', retryAfterSeconds: expect.any(Number) })
    await live.subscribe({ filter: { kinds: ALL }, client: 'b' }, new Client())
    first.close()
    await live.subscribe({ filter: { kinds: ALL }, client: 'a' }, new Client())
    expect(subscribers).toBe(3)
  })

  it('refuses every subscriber past the instance’s cap', async () => {
    start(1000, stores, (l) => l, { maxSubscribers: 2 })
    await live.subscribe({ filter: { kinds: ALL }, client: 'a' }, new Client())
    await live.subscribe({ filter: { kinds: ALL }, client: 'b' }, new Client())
    await expect(
      live.subscribe({ filter: { kinds: ALL }, client: 'c' }, new Client()),
    ).rejects.toMatchObject({ code: 'READS_BUSY' })
  })

  it('cuts off a subscriber whose socket stays full past the bound, and keeps the others', async () => {
    start(1000, stores, (l) => l, { slowClientMs: 60 })
    const stuck = new Client()
    const reading = new Client()
    await live.subscribe({ filter: { kinds: ALL } }, stuck)
    await live.subscribe({ filter: { kinds: ALL } }, reading)
    stuck.full = true
    log.commit('machine', 'M-1', 'PartProduced')
    await until('the stuck client cut off', () => stuck.aborted)
    expect(stuck.ended).toBe(false)
    expect(subscribers).toBe(1)
    log.commit('machine', 'M-2', 'PartProduced')
    await until('the other still served', () => reading.updates().length === 2)
  })

  it('resets a resume far further back than it may read without reading the log', async () => {
    start(4)
    for (let i = 0; i < 20; i++) log.commit('machine', 'M-1', 'PartProduced')
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL }, resumeFrom: '1001-1' }, client)
    await until('a reset', () => client.events().includes('reset'))
    expect(log.catchUpReads).toBe(0)
  })

  it('says hello with the head of the log, then sends what is committed after it', async () => {
    start()
    log.commit('machine', 'M-1', 'PartProduced')
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL } }, client)
    expect(client.messages).toEqual([{ event: 'hello', id: '1001-1', data: '{"cursor":"1001-1"}' }])
    log.commit('machine', 'M-2', 'MachineStateChanged')
    log.commit('part', '4', 'PartInfoUpdated')
    await until('two updates', () => client.updates().length === 2)
    expect(client.updates()).toEqual([
      {
        event: 'machine',
        id: '1002-2',
        data: '{"machine":{"machineId":"M-2"},"types":["MachineStateChanged"]}',
      },
      { event: 'part', id: '1003-3', data: '{"partId":4}' },
    ])
  })

  it('coalesces a burst to one entity into one update per flush', async () => {
    start()
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL } }, client)
    for (let i = 0; i < 300; i++) log.commit('machine', 'M-1', 'PartProduced', i + 1)
    await until('the last change sent', () => client.updates().at(-1)?.id === '1300-300')
    expect(client.updates().length).toBeLessThan(10)
  })

  it('keeps coalescing while the client is slow, and sends the newest once it drains', async () => {
    start()
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL } }, client)
    client.full = true
    log.commit('machine', 'M-1', 'PartProduced')
    await until('a first update', () => client.updates().length === 1)
    for (let i = 0; i < 50; i++) log.commit('machine', `M-${i % 5}`, 'PartProduced')
    await sleep(100)
    expect(client.updates()).toHaveLength(1)
    expect(live.pendingUpdates()).toBe(5)
    client.drain()
    await until('the rest', () => client.updates().length === 6)
    expect(client.updates().map((m) => m.id)).toEqual([
      '1001-1',
      '1047-47',
      '1048-48',
      '1049-49',
      '1050-50',
      '1051-51',
    ])
  })

  it('resumes: every entity changed since the resume point, then live, ids rising', async () => {
    start()
    log.commit('machine', 'M-1', 'PartProduced')
    log.commit('machine', 'M-2', 'PartProduced')
    for (let i = 0; i < 7; i++) log.commit('material', `mat-${i % 2}`, 'MaterialPriceRecorded')
    log.commit('machine', 'M-2', 'MachineMetricsRecorded')
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL }, resumeFrom: '1001-1' }, client)
    expect(client.messages[0]).toEqual({
      event: 'hello',
      id: '1001-1',
      data: '{"cursor":"1001-1"}',
    })
    log.commit('machine', 'M-3', 'PartProduced')
    await until('four updates', () => client.updates().length === 4)
    const updates = client.updates()
    expect(updates.map((m) => `${m.event}@${m.id}`)).toEqual([
      'material@1008-8',
      'material@1009-9',
      'machine@1010-10',
      'machine@1011-11',
    ])
    expect(updates.some((m) => m.data.includes('"M-1"'))).toBe(false)
  })

  it('resumes from a point this tail has not reached, without sending what came before it', async () => {
    // Another instance served the client further than this one's tail has read.
    const lagging = (l: MemoryLog): ChangeLog => ({
      head: () => Promise.resolve(l.rows[0]!.cursor),
      after: (after, limit, upTo) => l.after(after, limit, upTo),
      holds: (cursor) => l.holds(cursor),
    })
    start(1000, stores, lagging)
    log.commit('machine', 'M-1', 'PartProduced')
    log.commit('machine', 'M-2', 'PartProduced')
    log.commit('machine', 'M-3', 'PartProduced')
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL }, resumeFrom: '1003-3' }, client)
    log.commit('machine', 'M-4', 'PartProduced')
    await until('the live update', () => client.updates().length === 1)
    await sleep(60)
    expect(client.messages.map((m) => [m.event, m.id])).toEqual([
      ['hello', '1003-3'],
      ['machine', '1004-4'],
    ])
  })

  it('sends a row read ahead again for the changes it held, so the id reaches the newest', async () => {
    // The row is read at flush time: it may be ahead of the change that asked for it.
    const rowSequence = new Map<string, number>()
    const ahead: StreamStores = {
      ...stores,
      machines: {
        many: (ids) =>
          Promise.resolve(
            ids.map((machineId) => ({ machineId, sequence: rowSequence.get(machineId) }) as never),
          ),
      },
    }
    start(1000, ahead)
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL } }, client)
    rowSequence.set('M-1', 3)
    log.commit('machine', 'M-1', 'PartProduced', 1)
    await until('the first update', () => client.updates().length === 1)
    log.commit('machine', 'M-1', 'PartProduced', 2)
    log.commit('machine', 'M-1', 'PartProduced', 3)
    await until('the newest id', () => client.updates().at(-1)?.id === '1003-3')
    const sequences = client
      .updates()
      .map((m) => (JSON.parse(m.data) as { machine: { sequence: number } }).machine.sequence)
    expect(sequences.every((q) => q === 3)).toBe(true)
  })

  it.each([
    ['a malformed id', 'not-a-cursor'],
    ['an id past the head', '5000-1'],
    ['an id the log does not hold', '1001-2'],
  ])('resets on %s', async (_what, resumeFrom) => {
    start()
    log.commit('machine', 'M-1', 'PartProduced')
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL }, resumeFrom }, client)
    expect(client.messages.map((m) => [m.event, m.id])).toEqual([
      ['hello', '1001-1'],
      ['reset', '1001-1'],
    ])
    log.commit('machine', 'M-2', 'PartProduced')
    await until('a live update', () => client.updates().length === 1)
  })

  it('resets a resume from further back than it may read', async () => {
    start(4)
    // Within twice the bound: found out by reading.
    for (let i = 0; i < 8; i++) log.commit('machine', 'M-1', 'PartProduced')
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL }, resumeFrom: '1001-1' }, client)
    await until('a reset', () => client.events().includes('reset'))
    expect(client.messages.map((m) => [m.event, m.id])).toEqual([
      ['hello', '1001-1'],
      ['reset', '1008-8'],
    ])
    expect(log.catchUpReads).toBeGreaterThan(0)
  })

  it('filters by kind and machine', async () => {
    start()
    const client = new Client()
    await live.subscribe(
      { filter: { kinds: new Set(['machine']), machines: new Set(['M-2']) } },
      client,
    )
    log.commit('machine', 'M-1', 'PartProduced')
    log.commit('part', '4', 'PartInfoUpdated')
    log.commit('machine', 'M-2', 'PartProduced')
    await until('an update', () => client.updates().length === 1)
    await sleep(50)
    expect(client.updates().map((m) => m.id)).toEqual(['1003-3'])
  })

  it('sends a dead letter source its newest letter', async () => {
    start()
    const client = new Client()
    await live.subscribe({ filter: { kinds: new Set(['deadletter']) } }, client)
    log.commit('deadletter', 'factory/bad', 'DeadLetter', 41)
    log.commit('deadletter', 'factory/bad', 'DeadLetter', 42)
    await until('an update', () => client.updates().length === 1)
    expect(JSON.parse(client.updates()[0]?.data ?? '')).toMatchObject({ id: 42, reason: 'no' })
  })

  it('reads the log only while someone listens, and ends every stream on close', async () => {
    start()
    const a = new Client()
    const b = new Client()
    const sa = await live.subscribe({ filter: { kinds: ALL } }, a)
    await live.subscribe({ filter: { kinds: ALL } }, b)
    expect(subscribers).toBe(2)
    sa.close()
    expect(a.ended).toBe(true)
    expect(subscribers).toBe(1)
    await live.close()
    expect(b.ended).toBe(true)
    expect(subscribers).toBe(0)
    const reads = log.reads
    await sleep(50)
    expect(log.reads).toBe(reads)
  })

  it('stops polling when the last subscriber leaves, and starts at the head again', async () => {
    start()
    const first = await live.subscribe({ filter: { kinds: ALL } }, new Client())
    first.close()
    await sleep(30)
    const reads = log.reads
    log.commit('machine', 'M-1', 'PartProduced')
    await sleep(50)
    expect(log.reads).toBe(reads)
    const client = new Client()
    await live.subscribe({ filter: { kinds: ALL } }, client)
    expect(client.messages[0]?.id).toBe('1001-1')
  })
})
