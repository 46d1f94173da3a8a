import type { EventType } from '../../../src/domain/event-catalog'
import type { EntityType } from '../../../src/domain/events'
import { acceptsChange, Coalescer } from '../../../src/read/coalescer'
import { formatCursor } from '../../../src/read/log-cursor'
import type { LogChange } from '../../../src/read/log-tail'

let position = 0
/** A committed change, each one later in commit order than the one before. */
function change(kind: EntityType, entityId: string, type: EventType, sequence = 1): LogChange {
  position++
  return { cursor: { txId: BigInt(100 + position), position }, kind, entityId, type, sequence }
}

const ids = (c: Coalescer) =>
  c.take().map((u) => `${u.kind}:${u.entityId}@${formatCursor(u.cursor)}`)

describe('coalescing per entity', () => {
  beforeEach(() => (position = 0))

  it('keeps one update per entity, with its newest cursor and every type seen', () => {
    const c = new Coalescer()
    for (let i = 0; i < 500; i++) c.add(change('machine', 'M-1', 'PartProduced', i + 1))
    c.add(change('machine', 'M-1', 'MachineStateChanged', 501))
    c.add(change('machine', 'M-1', 'PartProduced', 502))
    expect(c.size).toBe(1)
    const [only, ...rest] = c.take()
    expect(rest).toEqual([])
    expect(only).toEqual({
      kind: 'machine',
      entityId: 'M-1',
      cursor: { txId: 602n, position: 502 },
      sequence: 502,
      types: ['PartProduced', 'MachineStateChanged'],
    })
    expect(c.size).toBe(0)
  })

  it('sends entities in the order of their newest change', () => {
    const c = new Coalescer()
    c.add(change('machine', 'A', 'PartProduced'))
    c.add(change('machine', 'B', 'PartProduced'))
    c.add(change('material', 'steel', 'MaterialPriceRecorded'))
    c.add(change('machine', 'A', 'MachineMetricsRecorded'))
    expect(ids(c)).toEqual(['machine:B@102-2', 'material:steel@103-3', 'machine:A@104-4'])
  })

  it('tells entities of different kinds with the same id apart', () => {
    const c = new Coalescer()
    c.add(change('machine', '7', 'PartProduced'))
    c.add(change('part', '7', 'PartInfoUpdated'))
    expect(c.size).toBe(2)
  })

  it('takes at most a limit, oldest first, and keeps the rest for later', () => {
    const c = new Coalescer()
    for (const id of ['A', 'B', 'C', 'D']) c.add(change('machine', id, 'PartProduced'))
    expect(c.take(3).map((u) => u.entityId)).toEqual(['A', 'B', 'C'])
    c.add(change('machine', 'A', 'PartProduced'))
    expect(c.take().map((u) => u.entityId)).toEqual(['D', 'A'])
  })

  it('puts back updates that could not be sent, merged with what came since', () => {
    const c = new Coalescer()
    c.add(change('machine', 'A', 'PartProduced'))
    c.add(change('machine', 'B', 'PartProduced'))
    const taken = c.take()
    c.add(change('machine', 'A', 'MachineStateChanged'))
    c.putBack(taken)
    const again = c.take()
    expect(again.map((u) => [u.entityId, formatCursor(u.cursor), u.types])).toEqual([
      ['B', '102-2', ['PartProduced']],
      ['A', '103-3', ['MachineStateChanged', 'PartProduced']],
    ])
  })

  it('absorbs an older catch-up without moving an entity back', () => {
    const missed = new Coalescer()
    missed.add(change('machine', 'A', 'PartProduced'))
    missed.add(change('machine', 'B', 'MachineStateChanged'))
    const live = new Coalescer()
    live.add(change('machine', 'A', 'MachineMetricsRecorded'))
    live.absorb(missed)
    expect(missed.size).toBe(0)
    const updates = live.take()
    expect(updates.map((u) => [u.entityId, formatCursor(u.cursor)])).toEqual([
      ['B', '102-2'],
      ['A', '103-3'],
    ])
    expect(updates[1]?.types.sort()).toEqual(['MachineMetricsRecorded', 'PartProduced'])
  })

  it('holds as many entries as entities, however many changes arrive', () => {
    const c = new Coalescer()
    for (let i = 0; i < 20_000; i++) c.add(change('machine', `M-${i % 100}`, 'PartProduced'))
    expect(c.size).toBe(100)
  })
})

describe('stream filters', () => {
  const all = new Set<EntityType>(['machine', 'part', 'material', 'deadletter'])

  it('passes only the kinds asked for', () => {
    const filter = { kinds: new Set<EntityType>(['part', 'deadletter']) }
    expect(acceptsChange(filter, change('part', '4', 'PartInfoUpdated'))).toBe(true)
    expect(acceptsChange(filter, change('deadletter', 'factory/x', 'DeadLetter'))).toBe(true)
    expect(acceptsChange(filter, change('machine', 'M-1', 'PartProduced'))).toBe(false)
    expect(acceptsChange(filter, change('material', 'steel', 'MaterialPriceRecorded'))).toBe(false)
  })

  it('narrows machines to the ones named, and leaves other kinds alone', () => {
    const filter = { kinds: all, machines: new Set(['M-1', 'M-2']) }
    expect(acceptsChange(filter, change('machine', 'M-1', 'PartProduced'))).toBe(true)
    expect(acceptsChange(filter, change('machine', 'M-3', 'PartProduced'))).toBe(false)
    expect(acceptsChange(filter, change('part', 'M-3', 'PartInfoUpdated'))).toBe(true)
  })
})
