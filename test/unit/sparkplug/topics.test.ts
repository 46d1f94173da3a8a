import {
  edgeTopic,
  hostSubscriptions,
  MESSAGE_TYPES,
  nodeKey,
  parseTopic,
  stateTopic,
} from '../../../src/sparkplug/topics'

describe('parseTopic', () => {
  it('reads an edge node message: group, type and edge node, no device', () => {
    expect(parseTopic('spBv1.0/plant/NBIRTH/line-1')).toEqual({
      kind: 'edge',
      type: 'NBIRTH',
      group: 'plant',
      edgeNode: 'line-1',
    })
    expect(parseTopic('spBv1.0/plant/NDATA/line-1')).not.toHaveProperty('device')
  })

  it('reads a device message with its device', () => {
    expect(parseTopic('spBv1.0/plant/DDATA/line-1/M-7')).toEqual({
      kind: 'edge',
      type: 'DDATA',
      group: 'plant',
      edgeNode: 'line-1',
      device: 'M-7',
    })
  })

  it('reads a host STATE message', () => {
    expect(parseTopic('spBv1.0/STATE/millstream')).toEqual({ kind: 'state', hostId: 'millstream' })
  })

  it.each([
    ['another namespace', 'spAv1.0/plant/NDATA/line-1'],
    ['no namespace', 'plant/NDATA/line-1'],
    ['an unknown message type', 'spBv1.0/plant/NFOO/line-1'],
    ['a lower-case type', 'spBv1.0/plant/ndata/line-1'],
    ['a device on a node message', 'spBv1.0/plant/NDATA/line-1/M-7'],
    ['no device on a device message', 'spBv1.0/plant/DDATA/line-1'],
    ['an empty device', 'spBv1.0/plant/DDATA/line-1/'],
    ['an empty group', 'spBv1.0//NDATA/line-1'],
    ['an empty edge node', 'spBv1.0/plant/NDATA/'],
    ['no edge node', 'spBv1.0/plant/NDATA'],
    ['a level too many', 'spBv1.0/plant/DDATA/line-1/M-7/x'],
    ['STATE without host id', 'spBv1.0/STATE'],
    ['STATE with an empty host id', 'spBv1.0/STATE/'],
    ['STATE with a level too many', 'spBv1.0/STATE/host/x'],
  ])('takes nothing from %s', (_, topic) => {
    expect(parseTopic(topic)).toBeUndefined()
  })
})

describe('edgeTopic', () => {
  it('writes node and device topics', () => {
    expect(edgeTopic('NCMD', { group: 'plant', edgeNode: 'line-1' })).toBe(
      'spBv1.0/plant/NCMD/line-1',
    )
    expect(edgeTopic('DCMD', { group: 'plant', edgeNode: 'line-1', device: 'M-7' })).toBe(
      'spBv1.0/plant/DCMD/line-1/M-7',
    )
  })

  it.each(MESSAGE_TYPES)('writes what parseTopic reads back, for %s', (type) => {
    const address = type.startsWith('D')
      ? { group: 'g', edgeNode: 'n', device: 'd' }
      : { group: 'g', edgeNode: 'n' }
    expect(parseTopic(edgeTopic(type, address))).toEqual({ kind: 'edge', type, ...address })
  })
})

describe('subscriptions and keys', () => {
  it('subscribes the whole namespace when no group is named, else each group named', () => {
    expect(hostSubscriptions([])).toEqual(['spBv1.0/#'])
    expect(hostSubscriptions(['a', 'b'])).toEqual(['spBv1.0/a/#', 'spBv1.0/b/#'])
  })

  it('has the STATE topic of a host id', () => {
    expect(stateTopic('h1')).toBe('spBv1.0/STATE/h1')
    expect(parseTopic(stateTopic('h1'))).toEqual({ kind: 'state', hostId: 'h1' })
  })

  it('keys an edge node by group and node, the same for its devices', () => {
    expect(nodeKey({ group: 'g', edgeNode: 'n' })).toBe('g/n')
    expect(nodeKey({ group: 'g', edgeNode: 'n', device: 'd' })).toBe('g/n')
    expect(nodeKey({ group: 'g2', edgeNode: 'n' })).not.toBe(nodeKey({ group: 'g', edgeNode: 'n' }))
  })
})
