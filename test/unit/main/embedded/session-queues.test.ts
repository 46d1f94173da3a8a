import { boundSessionQueues } from '../../../../src/main/embedded/session-queues'

/** A persistence double keeping each session's queue as aedes's memory one does. */
class FakeQueues {
  readonly queued = new Map<string, number[]>()
  outgoingEnqueue(sub: { clientId: string }, packet: unknown) {
    this.queued.set(sub.clientId, [...this.of(sub.clientId), packet as number])
    return Promise.resolve()
  }
  outgoingEnqueueCombi(subs: { clientId: string }[], packet: unknown) {
    for (const s of subs) this.queued.set(s.clientId, [...this.of(s.clientId), packet as number])
    return Promise.resolve()
  }
  outgoingClearMessageId(client: { id: string }, packet: unknown) {
    const q = this.of(client.id)
    const at = q.indexOf(packet as number)
    if (at < 0) return Promise.resolve(undefined)
    q.splice(at, 1)
    return Promise.resolve(packet)
  }
  of(id: string): number[] {
    return this.queued.get(id) ?? []
  }
}

describe('the embedded broker’s bound on session queues', () => {
  const setup = () => {
    const queues = new FakeQueues()
    const dropped: string[] = []
    boundSessionQueues(queues, {
      limit: 3,
      exempt: (id) => id === 'service',
      onDrop: (id) => void dropped.push(id),
    })
    return { queues, dropped }
  }

  it('queues up to the limit for a session, then drops for it alone', async () => {
    const { queues, dropped } = setup()
    for (let i = 0; i < 5; i++)
      await queues.outgoingEnqueueCombi([{ clientId: 'idle' }, { clientId: 'other' }], i)
    await queues.outgoingEnqueueCombi([{ clientId: 'other' }], 9)
    expect(queues.of('idle')).toEqual([0, 1, 2])
    expect(queues.of('other')).toEqual([0, 1, 2])
    expect(dropped).toEqual(['idle', 'other', 'idle', 'other', 'other'])
  })

  it('makes room again as messages are acknowledged', async () => {
    const { queues } = setup()
    for (let i = 1; i <= 3; i++) await queues.outgoingEnqueue({ clientId: 'c' }, i)
    await queues.outgoingClearMessageId({ id: 'c' }, 1)
    await queues.outgoingClearMessageId({ id: 'c' }, 42) // not queued: no room made
    await queues.outgoingEnqueue({ clientId: 'c' }, 4)
    await queues.outgoingEnqueue({ clientId: 'c' }, 5)
    expect(queues.of('c')).toEqual([2, 3, 4])
  })

  it('never drops for an exempt session (the service’s own)', async () => {
    const { queues, dropped } = setup()
    for (let i = 0; i < 10; i++) await queues.outgoingEnqueue({ clientId: 'service' }, i)
    expect(queues.of('service')).toHaveLength(10)
    expect(dropped).toEqual([])
  })

  it('fails loudly on a persistence without the queue it wraps', () => {
    expect(() =>
      boundSessionQueues({}, { limit: 1, exempt: () => false, onDrop: () => undefined }),
    ).toThrow(/aedes changed/)
  })
})
