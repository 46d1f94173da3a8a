import { start, stop, type ActorSystemRef } from 'nact'
import { spawnEntityRouter, type EntityRouter } from '../../../src/actors/entity-router'

/** A message carrying a number; it settles with the state its batch left. */
type Msg = { n: number; done: { resolve(state: number[]): void; reject(error: unknown): void } }

/** One batch a child handled: the state it was handed and the messages. */
type Call = { entityId: string; state: number[] | undefined; msgs: number[] }

/** A gate a batch waits at until the test opens it. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

/**
 * Lets the router and nact finish what they have in hand: a batch settles its messages before
 * it returns, and nact hands each batch over on a later turn of the event loop.
 */
async function quiet(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
}

describe('evicting entities from the router', () => {
  let system: ActorSystemRef
  let router: EntityRouter<Msg>
  let calls: Call[]
  /** Entities whose next batch waits at this gate. */
  let gates: Map<string, Promise<void>>

  const spawnRouter = (name: string, hibernateMs?: number) =>
    spawnEntityRouter<number[], Msg>(system, {
      name,
      // The state is every number the entity was told since it was (re)covered.
      behaviour: async (entityId, state, msgs) => {
        calls.push({ entityId, state, msgs: msgs.map((m) => m.n) })
        const wait = gates.get(entityId)
        gates.delete(entityId)
        if (wait) await wait
        const next = [...(state ?? []), ...msgs.map((m) => m.n)]
        for (const m of msgs) m.done.resolve(next)
        return next
      },
      idleMs: 60_000,
      ...(hibernateMs === undefined ? {} : { hibernateMs }),
      maxBatch: 100,
    })

  beforeEach(() => {
    system = start()
    calls = []
    gates = new Map()
    router = spawnRouter('entities')
  })
  afterEach(() => {
    router.stop()
    stop(system)
  })

  const tell = (entityId: string, n: number) =>
    new Promise<number[]>((resolve, reject) =>
      router.tell(entityId, { n, done: { resolve, reject } }),
    )
  const statesHandedTo = (entityId: string) =>
    calls.filter((c) => c.entityId === entityId).map((c) => c.state)

  it('forgets an idle entity: its next message recovers it from nothing', async () => {
    expect(await tell('a', 1)).toEqual([1])
    expect(await tell('a', 2)).toEqual([1, 2])
    await quiet()
    expect(router.liveCount()).toBe(1)
    router.evict((id) => id === 'a')
    expect(router.liveCount()).toBe(0)
    expect(router.hibernatingCount()).toBe(0)
    expect(await tell('a', 3)).toEqual([3])
    expect(statesHandedTo('a')).toEqual([undefined, [1], undefined])
  })

  it('lets a busy entity finish its batch, then starts what queued meanwhile from nothing', async () => {
    expect(await tell('a', 1)).toEqual([1])
    await quiet()
    const g = gate()
    gates.set('a', g.opened)
    const inHand = tell('a', 2)
    await quiet()
    expect(calls.at(-1)).toEqual({ entityId: 'a', state: [1], msgs: [2] })
    router.evict((id) => id === 'a')
    const queued = [tell('a', 3), tell('a', 4)]
    g.open()
    // The batch in hand ends with the state it began with.
    expect(await inHand).toEqual([1, 2])
    expect(await Promise.all(queued)).toEqual([
      [3, 4],
      [3, 4],
    ])
    expect(calls.slice(1)).toEqual([
      { entityId: 'a', state: [1], msgs: [2] },
      { entityId: 'a', state: undefined, msgs: [3, 4] },
    ])
    // Only that once: the next message finds the state the queued batch left.
    expect(await tell('a', 5)).toEqual([3, 4, 5])
  })

  it('forgets a busy entity with nothing queued once its batch is done', async () => {
    expect(await tell('a', 1)).toEqual([1])
    await quiet()
    const g = gate()
    gates.set('a', g.opened)
    const inHand = tell('a', 2)
    await quiet()
    expect(calls).toHaveLength(2)
    router.evict((id) => id === 'a')
    expect(router.liveCount()).toBe(1)
    g.open()
    expect(await inHand).toEqual([1, 2])
    await quiet()
    expect(router.liveCount()).toBe(0)
    expect(await tell('a', 3)).toEqual([3])
    expect(statesHandedTo('a')).toEqual([undefined, [1], undefined])
  })

  it('forgets the state of a hibernating entity too', async () => {
    router.stop()
    router = spawnRouter('hibernating', 20)
    expect(await tell('a', 1)).toEqual([1])
    const deadline = Date.now() + 5000
    while (router.hibernatingCount() === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10))
    expect(router.hibernatingCount()).toBe(1)
    router.evict((id) => id === 'a')
    expect(router.hibernatingCount()).toBe(0)
    expect(await tell('a', 2)).toEqual([2])
  })

  it('keeps the state of the entities it does not name', async () => {
    await Promise.all([tell('a', 1), tell('b', 10), tell('c', 100)])
    await quiet()
    router.evict((id) => id === 'b')
    expect(router.liveCount()).toBe(2)
    expect(await tell('a', 2)).toEqual([1, 2])
    expect(await tell('c', 200)).toEqual([100, 200])
    expect(await tell('b', 20)).toEqual([20])
  })

  it('evicts nothing when the predicate names no one', async () => {
    await Promise.all([tell('a', 1), tell('b', 10)])
    await quiet()
    const asked: string[] = []
    router.evict((id) => {
      asked.push(id)
      return false
    })
    expect(asked.sort()).toEqual(['a', 'b'])
    expect(await tell('a', 2)).toEqual([1, 2])
    expect(await tell('b', 20)).toEqual([10, 20])
  })
})
