import { EdgeSessions, type Verdict } from '../../../src/sparkplug/edge-sessions'
import type { Metric, Payload } from '../../../src/sparkplug/payload'

const NODE = { group: 'plant', edgeNode: 'line-1' }
const M7 = { ...NODE, device: 'M-7' }
const M8 = { ...NODE, device: 'M-8' }
const T0 = 1_700_000_000_000
const RECEIVED = T0 + 60_000

const nbirth = (bdSeq = 0, metrics: Metric[] = [], seq = 0): Payload => ({
  timestamp: T0,
  seq,
  metrics: [
    { name: 'bdSeq', datatype: 'UInt64', value: bdSeq },
    { name: 'Node Control/Rebirth', datatype: 'Boolean', value: false },
    ...metrics,
  ],
})

/** A device birth: RunState as alias 1, PartCount as alias 2. */
const dbirth = (seq: number, extra: Metric[] = []): Payload => ({
  timestamp: T0 + 1,
  seq,
  metrics: [
    { name: 'Status/RunState', alias: 1, datatype: 'Int32', value: 1 },
    { name: 'Production/PartCount', alias: 2, datatype: 'UInt64', value: 10 },
    ...extra,
  ],
})

/** A data payload at T0 + 5, or without timestamp for `null`. */
const data = (seq: number | undefined, metrics: Metric[], timestamp: number | null = T0 + 5) => ({
  ...(timestamp === null ? {} : { timestamp }),
  ...(seq === undefined ? {} : { seq }),
  metrics,
})

/** A node born with bdSeq 3 and device M-7 born at seq 1. */
function bornNode(): EdgeSessions {
  const s = new EdgeSessions()
  expect(s.accept('NBIRTH', NODE, nbirth(3), RECEIVED).kind).toBe('birth')
  expect(s.accept('DBIRTH', M7, dbirth(1), RECEIVED).kind).toBe('birth')
  return s
}

const readingsOf = (v: Verdict) => {
  if (v.kind !== 'birth' && v.kind !== 'data') throw new Error(`a ${v.kind} verdict`)
  return v.readings
}

describe('EdgeSessions: births', () => {
  it('takes an NBIRTH: the node is online, its readings without housekeeping metrics', () => {
    const s = new EdgeSessions()
    const v = s.accept(
      'NBIRTH',
      NODE,
      nbirth(0, [
        { name: 'Properties/Hardware', datatype: 'String', value: 'x86' },
        { name: 'Node Control/Reboot', datatype: 'Boolean', value: false },
        { name: 'Line/Speed', alias: 7, datatype: 'Double', value: 2.5 },
      ]),
      RECEIVED,
    )
    expect(v).toEqual({
      kind: 'birth',
      address: NODE,
      readings: [{ name: 'Line/Speed', value: 2.5, timestamp: T0, datatype: 'Double' }],
    })
    expect(s.online()).toBe(1)
    expect(s.isBorn(NODE)).toBe(true)
    expect(s.isBorn(M7)).toBe(false)
  })

  it('keeps a metric that only starts like a housekeeping one', () => {
    const v = new EdgeSessions().accept(
      'NBIRTH',
      NODE,
      nbirth(0, [{ name: 'bdSeqCopy', datatype: 'Int32', value: 1 }]),
      RECEIVED,
    )
    expect(readingsOf(v).map((r) => r.name)).toEqual(['bdSeqCopy'])
  })

  it('takes a DBIRTH of an online node: the device is born, with its readings', () => {
    const s = new EdgeSessions()
    s.accept('NBIRTH', NODE, nbirth(), RECEIVED)
    const v = s.accept('DBIRTH', M7, dbirth(1), RECEIVED)
    expect(v).toEqual({
      kind: 'birth',
      address: M7,
      readings: [
        { name: 'Status/RunState', value: 1, timestamp: T0 + 1, datatype: 'Int32' },
        { name: 'Production/PartCount', value: 10, timestamp: T0 + 1, datatype: 'UInt64' },
      ],
    })
    expect(s.isBorn(M7)).toBe(true)
    expect(s.isBorn(M8)).toBe(false)
  })

  it('rejects a DBIRTH before its node is born, asking for a rebirth', () => {
    const v = new EdgeSessions().accept('DBIRTH', M7, dbirth(1), RECEIVED)
    expect(v).toEqual({
      kind: 'rejected',
      reason: expect.stringContaining('before'),
      rebirth: 'before-birth',
    })
  })

  it('rejects a birth with a nameless metric, or one alias for two names', () => {
    const s = new EdgeSessions()
    expect(
      s.accept('NBIRTH', NODE, nbirth(0, [{ alias: 4, datatype: 'Int32', value: 1 }]), RECEIVED),
    ).toEqual({
      kind: 'rejected',
      reason: 'a birth metric without a name',
      rebirth: 'before-birth',
    })
    expect(s.online()).toBe(0)
    s.accept('NBIRTH', NODE, nbirth(), RECEIVED)
    const v = s.accept(
      'DBIRTH',
      M7,
      {
        seq: 1,
        metrics: [
          { name: 'A', alias: 1, value: 1 },
          { name: 'B', alias: 1, value: 2 },
        ],
      },
      RECEIVED,
    )
    expect(v).toEqual({
      kind: 'rejected',
      reason: 'alias 1 names both "A" and "B" in one birth',
      rebirth: 'before-birth',
    })
    expect(s.isBorn(M7)).toBe(false)
  })
})

describe('EdgeSessions: data', () => {
  it('resolves aliases to the names and datatypes of the birth', () => {
    const s = bornNode()
    const v = s.accept(
      'DDATA',
      M7,
      data(2, [
        { alias: 2, value: 11 },
        { alias: 1, value: 2, datatype: 'Int32' },
      ]),
      RECEIVED,
    )
    expect(v).toEqual({
      kind: 'data',
      address: M7,
      readings: [
        { name: 'Production/PartCount', value: 11, timestamp: T0 + 5, datatype: 'UInt64' },
        { name: 'Status/RunState', value: 2, timestamp: T0 + 5, datatype: 'Int32' },
      ],
    })
  })

  it('reads NDATA by the node birth aliases, and by name', () => {
    const s = new EdgeSessions()
    s.accept('NBIRTH', NODE, nbirth(0, [{ name: 'Line/Speed', alias: 7, value: 1 }]), RECEIVED)
    const v = s.accept(
      'NDATA',
      NODE,
      data(1, [
        { alias: 7, value: 3 },
        { name: 'Line/Other', value: 'x' },
      ]),
      RECEIVED,
    )
    expect(readingsOf(v).map((r) => [r.name, r.value])).toEqual([
      ['Line/Speed', 3],
      ['Line/Other', 'x'],
    ])
  })

  it("takes a metric's own timestamp, else the payload's, else the time received", () => {
    const s = bornNode()
    const withPayloadTime = s.accept(
      'DDATA',
      M7,
      data(2, [
        { alias: 1, value: 1, timestamp: T0 + 99 },
        { alias: 2, value: 11 },
      ]),
      RECEIVED,
    )
    expect(readingsOf(withPayloadTime).map((r) => r.timestamp)).toEqual([T0 + 99, T0 + 5])
    const withoutPayloadTime = s.accept(
      'DDATA',
      M7,
      data(3, [{ alias: 2, value: 12 }], null),
      RECEIVED,
    )
    expect(readingsOf(withoutPayloadTime).map((r) => r.timestamp)).toEqual([RECEIVED])
  })

  it('leaves housekeeping metrics out of data readings', () => {
    const s = new EdgeSessions()
    s.accept('NBIRTH', NODE, nbirth(0, [{ name: 'Line/Speed', alias: 7, value: 1 }]), RECEIVED)
    const v = s.accept(
      'NDATA',
      NODE,
      data(1, [
        { name: 'Node Control/Rebirth', value: false },
        { name: 'Properties/Firmware', value: '1.2' },
        { alias: 7, value: 2 },
      ]),
      RECEIVED,
    )
    expect(readingsOf(v).map((r) => r.name)).toEqual(['Line/Speed'])
  })

  it('rejects an unknown alias, asking for a rebirth', () => {
    const s = bornNode()
    expect(s.accept('DDATA', M7, data(2, [{ alias: 9, value: 1 }]), RECEIVED)).toEqual({
      kind: 'rejected',
      reason: 'unknown alias 9',
      rebirth: 'unknown-alias',
    })
    // A device's aliases are its own: the node's are not read for it, nor another device's.
    s.accept('DBIRTH', M8, { seq: 3, metrics: [{ name: 'X', alias: 50, value: 1 }] }, RECEIVED)
    expect(s.accept('DDATA', M7, data(4, [{ alias: 50, value: 1 }]), RECEIVED)).toMatchObject({
      kind: 'rejected',
      rebirth: 'unknown-alias',
    })
  })

  it('rejects a metric with neither name nor alias', () => {
    const s = bornNode()
    expect(s.accept('DDATA', M7, data(2, [{ value: 1 }]), RECEIVED)).toEqual({
      kind: 'rejected',
      reason: 'a metric with neither name nor alias',
      rebirth: 'unknown-alias',
    })
  })

  it.each(['NDATA', 'DDATA'] as const)('rejects %s before the node is born', (type) => {
    const address = type === 'NDATA' ? NODE : M7
    expect(
      new EdgeSessions().accept(type, address, data(1, [{ name: 'x', value: 1 }]), RECEIVED),
    ).toEqual({
      kind: 'rejected',
      reason: `${type} before the edge node's NBIRTH`,
      rebirth: 'before-birth',
    })
  })

  it('rejects DDATA of a device not born on an online node', () => {
    const s = bornNode()
    expect(s.accept('DDATA', M8, data(2, [{ name: 'x', value: 1 }]), RECEIVED)).toEqual({
      kind: 'rejected',
      reason: "DDATA before the device's DBIRTH",
      rebirth: 'before-birth',
    })
  })
})

describe('EdgeSessions: seq', () => {
  it('takes each next seq without a gap, wrapping from 255 to 0', () => {
    const s = new EdgeSessions()
    s.accept('NBIRTH', NODE, nbirth(0, [{ name: 'x', alias: 1, value: 0 }], 253), RECEIVED)
    for (const seq of [254, 255, 0, 1]) {
      const v = s.accept('NDATA', NODE, data(seq, [{ alias: 1, value: seq }]), RECEIVED)
      expect(v).toEqual({ kind: 'data', address: NODE, readings: expect.any(Array) })
    }
  })

  it('gives a gap text for a seq that is not the next, and the data still comes through', () => {
    const s = bornNode()
    const v = s.accept('DDATA', M7, data(5, [{ alias: 2, value: 11 }]), RECEIVED)
    expect(v).toMatchObject({ kind: 'data', gap: 'seq 5 where 2 was next' })
    expect(readingsOf(v)).toEqual([
      expect.objectContaining({ name: 'Production/PartCount', value: 11 }),
    ])
    // The seq moves on from the one seen.
    expect(s.accept('DDATA', M7, data(6, [{ alias: 2, value: 12 }]), RECEIVED)).not.toHaveProperty(
      'gap',
    )
  })

  it('gives a gap text for a message without seq', () => {
    const s = bornNode()
    expect(
      s.accept('DDATA', M7, data(undefined, [{ alias: 2, value: 11 }]), RECEIVED),
    ).toMatchObject({
      kind: 'data',
      gap: 'no seq (expected 2)',
    })
  })

  it('counts every message of the node, births and devices included, in one seq', () => {
    const s = bornNode() // NBIRTH 0, DBIRTH M-7 1
    expect(s.accept('DBIRTH', M8, dbirth(2), RECEIVED)).not.toHaveProperty('gap')
    expect(s.accept('DDATA', M8, data(3, [{ alias: 1, value: 0 }]), RECEIVED)).not.toHaveProperty(
      'gap',
    )
    expect(s.accept('DDATA', M7, data(4, [{ alias: 1, value: 0 }]), RECEIVED)).not.toHaveProperty(
      'gap',
    )
    expect(s.accept('DDEATH', M8, { seq: 6, metrics: [] }, RECEIVED)).toMatchObject({
      kind: 'death',
      gap: 'seq 6 where 5 was next',
    })
  })

  it('starts again from the seq of a new NBIRTH', () => {
    const s = bornNode()
    s.accept('DDATA', M7, data(2, [{ alias: 2, value: 11 }]), RECEIVED)
    s.accept('NBIRTH', NODE, nbirth(4), RECEIVED)
    expect(s.accept('DBIRTH', M7, dbirth(1), RECEIVED)).not.toHaveProperty('gap')
  })
})

describe('EdgeSessions: deaths', () => {
  it('takes an NDEATH of the session: names every born device, and the node is offline', () => {
    const s = bornNode()
    s.accept('DBIRTH', M8, dbirth(2), RECEIVED)
    const v = s.accept('NDEATH', NODE, { metrics: [{ name: 'bdSeq', value: 3 }] }, RECEIVED)
    expect(v).toEqual({ kind: 'death', address: NODE, devices: ['M-7', 'M-8'] })
    expect(s.online()).toBe(0)
    expect(s.isBorn(NODE)).toBe(false)
    expect(s.isBorn(M7)).toBe(false)
    expect(s.accept('DDATA', M7, data(3, [{ alias: 2, value: 11 }]), RECEIVED)).toMatchObject({
      kind: 'rejected',
      rebirth: 'before-birth',
    })
    expect(s.accept('NDATA', NODE, data(3, [{ name: 'x', value: 1 }]), RECEIVED)).toMatchObject({
      kind: 'rejected',
      rebirth: 'before-birth',
    })
  })

  it('ignores an NDEATH of an earlier session (another bdSeq): the node stays online', () => {
    const s = bornNode()
    const v = s.accept('NDEATH', NODE, { metrics: [{ name: 'bdSeq', value: 2 }] }, RECEIVED)
    expect(v).toEqual({
      kind: 'ignored',
      reason: "NDEATH of an earlier session (bdSeq 2, the node's is 3)",
    })
    expect(s.isBorn(M7)).toBe(true)
    expect(s.accept('DDATA', M7, data(2, [{ alias: 2, value: 11 }]), RECEIVED).kind).toBe('data')
  })

  it('ignores an NDEATH of a node not online', () => {
    const s = new EdgeSessions()
    expect(
      s.accept('NDEATH', NODE, { metrics: [{ name: 'bdSeq', value: 0 }] }, RECEIVED).kind,
    ).toBe('ignored')
    s.accept('NBIRTH', NODE, nbirth(0), RECEIVED)
    s.accept('NDEATH', NODE, { metrics: [{ name: 'bdSeq', value: 0 }] }, RECEIVED)
    expect(
      s.accept('NDEATH', NODE, { metrics: [{ name: 'bdSeq', value: 0 }] }, RECEIVED).kind,
    ).toBe('ignored')
  })

  it('takes a DDEATH of a born device: a death of that device only', () => {
    const s = bornNode()
    s.accept('DBIRTH', M8, dbirth(2), RECEIVED)
    expect(s.accept('DDEATH', M7, { seq: 3, metrics: [] }, RECEIVED)).toEqual({
      kind: 'death',
      address: M7,
      devices: ['M-7'],
    })
    expect(s.isBorn(M7)).toBe(false)
    expect(s.isBorn(M8)).toBe(true)
    expect(s.accept('DDATA', M7, data(4, [{ alias: 2, value: 11 }]), RECEIVED)).toMatchObject({
      kind: 'rejected',
      rebirth: 'before-birth',
    })
    // The node's NDEATH no longer names it.
    expect(
      s.accept('NDEATH', NODE, { metrics: [{ name: 'bdSeq', value: 3 }] }, RECEIVED),
    ).toMatchObject({
      devices: ['M-8'],
    })
  })

  it('ignores a DDEATH of a device not born', () => {
    const s = bornNode()
    expect(s.accept('DDEATH', M8, { seq: 2, metrics: [] }, RECEIVED)).toEqual({
      kind: 'ignored',
      reason: 'DDEATH of a device not born',
    })
  })

  it('forgets the devices of a node that is born again', () => {
    const s = bornNode()
    s.accept('NBIRTH', NODE, nbirth(4), RECEIVED)
    expect(s.isBorn(M7)).toBe(false)
    expect(s.accept('DDATA', M7, data(1, [{ alias: 2, value: 11 }]), RECEIVED)).toMatchObject({
      kind: 'rejected',
      rebirth: 'before-birth',
    })
  })
})

describe('EdgeSessions: commands', () => {
  it.each(['NCMD', 'DCMD'] as const)(
    'ignores %s (a command to the edge) and keeps the seq',
    (type) => {
      const s = bornNode()
      const address = type === 'NCMD' ? NODE : M7
      expect(
        s.accept(
          type,
          address,
          { metrics: [{ name: 'Node Control/Rebirth', value: true }] },
          RECEIVED,
        ),
      ).toEqual({ kind: 'ignored', reason: `${type} is a command to the edge` })
      expect(
        s.accept('DDATA', M7, data(2, [{ alias: 2, value: 11 }]), RECEIVED),
      ).not.toHaveProperty('gap')
    },
  )
})
