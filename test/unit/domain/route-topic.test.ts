import { createHash } from 'node:crypto'
import { ENTITY_ID } from '../../../src/domain/ids'
import { contentKey } from '../../../src/domain/inputs'
import { routeTopic } from '../../../src/domain/topics'

/** routeTopic as it was first written (split and compare): the behaviour to keep. */
function reference(topic: string, prefix: string): unknown {
  if (topic === 'supply-chain') return { kind: 'legacy-production' }
  if (!topic.startsWith(`${prefix}/`)) return undefined
  const [kind, id, leaf, ...rest] = topic.slice(prefix.length + 1).split('/')
  if (rest.length > 0 || id === undefined || !ENTITY_ID.test(id)) return undefined
  if (
    kind === 'machines' &&
    (leaf === 'production' || leaf === 'status' || leaf === 'telemetry' || leaf === 'commands')
  ) {
    return { kind: leaf, machineId: id }
  }
  if (kind === 'parts' && leaf === 'info' && /^\d{1,15}$/.test(id))
    return { kind: 'part-info', partId: Number(id) }
  if (kind === 'materials' && leaf === undefined) return { kind: 'material', materialId: id }
  return undefined
}

const SEGMENTS = [
  'factory',
  'plant',
  'machines',
  'parts',
  'materials',
  'production',
  'status',
  'telemetry',
  'commands',
  'info',
  'Machines',
  'productions',
  'supply-chain',
  '',
  '1',
  '007',
  '123456789012345',
  '1234567890123456',
  'm-7',
  'press.2:a_b',
  'a b',
  'é',
  '+',
  '#',
  'x'.repeat(128),
  'x'.repeat(129),
]
const KINDS = ['machines', 'parts', 'materials', 'machine', '']
const LEAVES = ['production', 'status', 'telemetry', 'commands', 'info', '<none>', '', 'Status']
const PREFIXES = ['factory', 'plant', 'a/b', '']

describe('routeTopic', () => {
  it('routes every topic as the split-based definition does', () => {
    let seed = 7
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    let routed = 0
    for (let i = 0; i < 20000; i++) {
      const prefix = PREFIXES[next(PREFIXES.length)] ?? ''
      const segment = (pool: readonly string[]) => pool[next(pool.length)] ?? ''
      // Mostly shaped like the topics read ({kind}/{id}[/{leaf}][/...]), else any segments.
      const parts =
        next(4) > 0
          ? [segment(KINDS), segment(SEGMENTS), segment(LEAVES), ...(next(8) ? [] : ['x'])]
          : Array.from({ length: next(6) }, () => segment(SEGMENTS))
      if (parts[2] === '<none>') parts.splice(2, 1)
      let topic = parts.join('/')
      if (next(3) > 0) topic = `${prefix}/${topic}`
      if (next(20) === 0) topic = `${topic}/`
      const r = routeTopic(topic, prefix)
      expect([topic, r]).toEqual([topic, reference(topic, prefix)])
      if (r) routed++
    }
    expect(routed).toBeGreaterThan(500)
  })

  it.each([
    ['factory/machines/1/production', { kind: 'production', machineId: '1' }],
    ['factory/machines/m-7/commands', { kind: 'commands', machineId: 'm-7' }],
    ['factory/parts/007/info', { kind: 'part-info', partId: 7 }],
    ['factory/materials/steel', { kind: 'material', materialId: 'steel' }],
    ['supply-chain', { kind: 'legacy-production' }],
    ['factory/machines/1/production/x', undefined],
    ['factory/machines/1/production/', undefined],
    ['factory/materials/steel/', undefined],
    ['factory/parts/1234567890123456/info', undefined],
    ['factory/parts/p1/info', undefined],
    ['factory/machines/a b/status', undefined],
    ['factory/machines//status', undefined],
    ['factory/machines/1', undefined],
    ['factoryx/machines/1/status', undefined],
    ['factory', undefined],
    ['factory/', undefined],
  ])('routes %s', (topic, route) => {
    expect(routeTopic(topic, 'factory')).toEqual(route)
  })
})

describe('contentKey', () => {
  it('is sha256 of topic, U+0000 and payload, in base64url', () => {
    const big = Buffer.from('xx{"at":1,"metrics":{"a":1}}yy')
    const raws = [
      { topic: 'factory/machines/1/telemetry', payload: Buffer.from('{"at":1}') },
      { topic: 'factory/machines/1/telemetry', payload: Buffer.alloc(0) },
      { topic: '', payload: Buffer.from([0, 1, 2, 0xff]) },
      { topic: 'factory/materials/é', payload: Buffer.from('{"name":"\u00e9"}') },
      { topic: 'lone \ud800 surrogate', payload: Buffer.from('{}') },
      { topic: 'a view', payload: big.subarray(2, big.length - 2) },
    ]
    for (const raw of raws) {
      const expected = createHash('sha256')
        .update(raw.topic)
        .update('\0')
        .update(raw.payload)
        .digest('base64url')
      expect(contentKey(raw)).toBe(expected)
    }
  })
})
