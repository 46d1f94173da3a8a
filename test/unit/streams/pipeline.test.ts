import { TestScheduler } from 'rxjs/testing'
import { defer, map, of, Subject } from 'rxjs'
import {
  decodeMessages,
  dispatchAll,
  type Decoded,
  type Handlers,
} from '../../../src/streams/pipeline'
import type { InboundMessage } from '../../../src/streams/inbound'

const GOOD = (order: number) =>
  Buffer.from(JSON.stringify({ timeOfProduction: 0, order, partId: 1 }))

function message(topic: string, payload: Buffer, acks: string[]): InboundMessage {
  return { topic, payload, receivedAt: 0, ack: () => acks.push(`${topic}:${payload.toString()}`) }
}

describe('pipeline operators', () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected))

  it('decodes every message, turning a bad one into a rejection instead of an error', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const acks: string[] = []
      const good = message('factory/machines/1/production', GOOD(1), acks)
      const bad = message('factory/machines/1/production', Buffer.from('{'), acks)
      const source = cold('a-b-|', { a: good, b: bad })
      const decoded = source.pipe(decodeMessages('factory', 1024))
      expectObservable(decoded).toBe('a-b-|', {
        a: { message: good, result: expect.objectContaining({ ok: true }) as unknown },
        b: {
          message: bad,
          result: { ok: false, reason: expect.stringMatching(/not UTF-8 JSON/) as unknown },
        },
      })
    })
  })

  it('passes messages through in arrival order, one decoded value per message', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const acks: string[] = []
      const [a, b, c] = [1, 2, 3].map((n) =>
        message(`factory/machines/${n}/production`, GOOD(n), acks),
      ) as [InboundMessage, InboundMessage, InboundMessage]
      const keys = cold('a--b-c|', { a, b, c }).pipe(
        decodeMessages('factory', 1024),
        map((d) => (d.result.ok ? d.result.input.entityKey : 'rejected')),
      )
      expectObservable(keys).toBe('a--b-c|', { a: '1', b: '2', c: '3' })
    })
  })
})

describe('dispatchAll with real promises', () => {
  it('dead-letters a rejected input and a failed dispatch, acknowledging both after storing them', async () => {
    const acks: string[] = []
    const letters: string[] = []
    const handlers: Handlers = {
      dispatch: (input) =>
        input.idempotencyKey === 'boom'
          ? Promise.reject(new Error('actor crashed'))
          : Promise.resolve('applied'),
      deadLetter: (l) => {
        letters.push(l.reason)
        return Promise.resolve()
      },
    }
    const ok: Decoded = {
      message: message('a', GOOD(1), acks),
      result: {
        ok: true,
        input: { entity: 'machine', entityKey: '1', idempotencyKey: 'fine', input: {} as never },
      },
    }
    const crash: Decoded = {
      message: message('b', GOOD(2), acks),
      result: {
        ok: true,
        input: { entity: 'machine', entityKey: '1', idempotencyKey: 'boom', input: {} as never },
      },
    }
    const bad: Decoded = {
      message: message('c', GOOD(3), acks),
      result: { ok: false, reason: 'missing partId' },
    }
    const outcomes: string[] = []
    await new Promise<void>((resolve) =>
      defer(() => of(ok, crash, bad))
        .pipe(dispatchAll(handlers, 10))
        .subscribe({
          next: (p) => outcomes.push(p.outcome),
          complete: resolve,
        }),
    )
    expect(outcomes.sort()).toEqual(['applied', 'dead-lettered', 'dead-lettered'])
    expect(letters.sort()).toEqual(['missing partId', 'processing failed: actor crashed'])
    expect(acks).toHaveLength(3)
  })

  it('keeps at most `concurrency` messages in flight and acknowledges each only once it settles', async () => {
    const acks: string[] = []
    const pending: (() => void)[] = []
    let started = 0
    const handlers: Handlers = {
      dispatch: () =>
        new Promise((resolve) => {
          started += 1
          pending.push(() => resolve('applied'))
        }),
      deadLetter: () => Promise.resolve(),
    }
    const input = new Subject<Decoded>()
    const done: string[] = []
    input.pipe(dispatchAll(handlers, 2)).subscribe((p) => done.push(p.message.topic))
    for (const n of [1, 2, 3, 4]) {
      input.next({
        message: message(`t${n}`, GOOD(n), acks),
        result: {
          ok: true,
          input: { entity: 'machine', entityKey: 'm', idempotencyKey: `k${n}`, input: {} as never },
        },
      })
    }
    const flush = () => new Promise((r) => setImmediate(r))
    await flush()
    expect(started).toBe(2)
    expect(acks).toEqual([])
    pending.shift()?.()
    await flush()
    expect(started).toBe(3)
    expect(acks).toHaveLength(1)
    while (pending.length) {
      pending.shift()?.()
      await flush()
    }
    expect(done).toEqual(['t1', 't2', 't3', 't4'])
    expect(acks).toHaveLength(4)
  })

  it('leaves a message unacknowledged when even its dead letter cannot be stored', async () => {
    const acks: string[] = []
    const unstorable: string[] = []
    const handlers: Handlers = {
      dispatch: () => Promise.resolve('applied'),
      deadLetter: () => Promise.reject(new Error('disk full')),
      onUnstorable: (m) => unstorable.push(m.topic),
    }
    const bad: Decoded = {
      message: message('c', GOOD(3), acks),
      result: { ok: false, reason: 'bad' },
    }
    const outcomes: string[] = []
    await new Promise<void>((resolve) =>
      of(bad)
        .pipe(dispatchAll(handlers, 1))
        .subscribe({ next: (p) => outcomes.push(p.outcome), complete: resolve }),
    )
    expect(outcomes).toEqual(['unacknowledged'])
    expect(acks).toEqual([])
    expect(unstorable).toEqual(['c'])
  })
})
