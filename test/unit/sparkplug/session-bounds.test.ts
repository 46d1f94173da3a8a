import { EdgeSessions, UNBOUNDED, type Verdict } from '../../../src/sparkplug/edge-sessions'
import type { Metric, Payload } from '../../../src/sparkplug/payload'
import { TokenBucket } from '../../../src/sparkplug/token-bucket'

const T = 1_700_000_000_000
const node = (i: number) => ({ group: 'g', edgeNode: `n${i}` })
const nbirth = (metrics: Metric[] = []): Payload => ({
  seq: 0,
  metrics: [{ name: 'bdSeq', value: 0 }, ...metrics],
})
const dbirth = (seq: number, metrics: Metric[] = [{ name: 'a', alias: 1, value: 1 }]) => ({
  seq,
  metrics,
})
const bounded = (over: Partial<typeof UNBOUNDED>) => new EdgeSessions({ ...UNBOUNDED, ...over })
const boundOf = (v: Verdict) => (v.kind === 'rejected' ? v.bound : undefined)

describe('EdgeSessions: bounds on what edge nodes create', () => {
  it('rejects the NBIRTH of a node past the node bound, keeping nothing of it', () => {
    const s = bounded({ maxEdgeNodes: 2 })
    expect(s.accept('NBIRTH', node(1), nbirth(), T).kind).toBe('birth')
    expect(s.accept('NBIRTH', node(2), nbirth(), T).kind).toBe('birth')
    const v = s.accept('NBIRTH', node(3), nbirth(), T)
    expect(boundOf(v)).toBe('sparkplug-edge-nodes')
    expect(v).toMatchObject({ reason: expect.stringMatching(/SPARKPLUG_MAX_EDGE_NODES \(2\)/) })
    expect(s.held()).toBe(2)
    // A node already held is born again at the bound.
    expect(s.accept('NBIRTH', node(2), nbirth(), T).kind).toBe('birth')
  })

  it('forgets a dead node, so its slot serves another', () => {
    const s = bounded({ maxEdgeNodes: 1 })
    s.accept('NBIRTH', node(1), nbirth(), T)
    expect(s.accept('NDEATH', node(1), nbirth(), T).kind).toBe('death')
    expect(s.held()).toBe(0)
    expect(s.accept('NBIRTH', node(2), nbirth(), T).kind).toBe('birth')
  })

  it('rejects the DBIRTH of a device past the devices bound', () => {
    const s = bounded({ maxDevicesPerNode: 1 })
    s.accept('NBIRTH', node(1), nbirth(), T)
    expect(s.accept('DBIRTH', { ...node(1), device: 'a' }, dbirth(1), T).kind).toBe('birth')
    const v = s.accept('DBIRTH', { ...node(1), device: 'b' }, dbirth(2), T)
    expect(boundOf(v)).toBe('sparkplug-devices-per-node')
    expect(s.isBorn({ ...node(1), device: 'b' })).toBe(false)
    expect(s.accept('DBIRTH', { ...node(1), device: 'a' }, dbirth(3), T).kind).toBe('birth')
  })

  it('rejects a birth with more metrics (so more aliases) than the bound', () => {
    const s = bounded({ maxMetricsPerBirth: 3 })
    const many = [1, 2, 3].map((i) => ({ name: `m${i}`, alias: i, value: i }))
    expect(boundOf(s.accept('NBIRTH', node(1), nbirth(many), T))).toBe(
      'sparkplug-metrics-per-birth',
    )
    expect(s.held()).toBe(0)
    s.accept('NBIRTH', node(1), nbirth(), T)
    expect(
      boundOf(s.accept('DBIRTH', { ...node(1), device: 'd' }, dbirth(1, many.concat(many)), T)),
    ).toBe('sparkplug-metrics-per-birth')
    expect(s.isBorn({ ...node(1), device: 'd' })).toBe(false)
  })

  it('forgets nodes silent for the idle time, naming what they held; later data asks for a birth', () => {
    const s = bounded({ idleMs: 60_000 })
    s.accept('NBIRTH', node(1), nbirth(), T)
    s.accept('DBIRTH', { ...node(1), device: 'd' }, dbirth(1), T)
    s.accept('NBIRTH', node(2), nbirth(), T + 50_000)
    expect(s.evictIdle(T + 30_000)).toEqual([])
    expect(s.evictIdle(T + 60_000)).toEqual([node(1), { ...node(1), device: 'd' }])
    expect(s.held()).toBe(1)
    expect(s.accept('NDATA', node(1), { seq: 2, metrics: [] }, T + 61_000)).toMatchObject({
      kind: 'rejected',
      rebirth: 'before-birth',
    })
  })

  it('counts any message of a node as a sign of life', () => {
    const s = bounded({ idleMs: 60_000 })
    s.accept('NBIRTH', node(1), nbirth(), T)
    s.accept('NDATA', node(1), { seq: 1, metrics: [] }, T + 59_000)
    expect(s.evictIdle(T + 61_000)).toEqual([])
    expect(s.held()).toBe(1)
  })
})

describe('TokenBucket', () => {
  it('allows a burst, then the rate', () => {
    const b = new TokenBucket(2, 2)
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([true, true, false])
    expect(b.take(499)).toBe(false)
    expect(b.take(1000)).toBe(true)
  })

  it('never refuses at an infinite rate', () => {
    const b = new TokenBucket(Infinity, Infinity)
    expect(Array.from({ length: 1000 }, () => b.take(0)).every(Boolean)).toBe(true)
  })
})
