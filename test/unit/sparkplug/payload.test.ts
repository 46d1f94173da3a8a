import Long from 'long'
import { datatypeOf, decodePayload, encodeCommand } from '../../../src/sparkplug/payload'
import { encode, metric } from './support'

const decoded = (bytes: Buffer) => {
  const r = decodePayload(bytes)
  if (!r.ok) throw new Error(r.reason)
  return r.payload
}

describe('decodePayload', () => {
  it('reads timestamp, seq and each metric: name, alias, datatype, value, timestamp', () => {
    const p = decoded(
      encode({
        timestamp: 1_700_000_000_000,
        seq: 7,
        metrics: [
          metric('Production/PartCount', 'UInt64', 42, { alias: 3, timestamp: 1_700_000_000_123 }),
          metric('Sensors/Temperature', 'Double', 61.25),
          metric('Maintenance/Active', 'Boolean', true),
          metric('Production/Note', 'String', 'ok'),
        ],
      }),
    )
    expect(p).toEqual({
      timestamp: 1_700_000_000_000,
      seq: 7,
      metrics: [
        {
          name: 'Production/PartCount',
          alias: 3,
          datatype: 'UInt64',
          value: 42,
          timestamp: 1_700_000_000_123,
        },
        { name: 'Sensors/Temperature', datatype: 'Double', value: 61.25 },
        { name: 'Maintenance/Active', datatype: 'Boolean', value: true },
        { name: 'Production/Note', datatype: 'String', value: 'ok' },
      ],
    })
  })

  it('turns 64-bit values (Long) into numbers, signed and unsigned, the largest to the nearest double', () => {
    const p = decoded(
      encode({
        metrics: [
          metric('i', 'Int64', -3),
          metric('u', 'UInt64', Long.fromString('18446744073709551615', true)),
          metric('t', 'DateTime', 1_700_000_000_000),
        ],
      }),
    )
    expect(p.metrics.map((m) => m.value)).toEqual([-3, 2 ** 64, 1_700_000_000_000])
    for (const m of p.metrics) expect(typeof m.value).toBe('number')
  })

  it('reads a Float as the nearest double of its 32 bits', () => {
    const [m] = decoded(encode({ metrics: [metric('f', 'Float', 1.1)] })).metrics
    expect(m?.value).toBeCloseTo(1.1, 6)
  })

  it('gives null for a null metric and for values the host has no use for (bytes, data sets)', () => {
    const p = decoded(
      encode({
        metrics: [
          metric('n', 'Int32', null, { isNull: true }),
          metric('b', 'Bytes', new Uint8Array([1, 2])),
          metric('ds', 'DataSet', {
            numOfColumns: 1,
            columns: ['a'],
            types: ['String'],
            rows: [['x']],
          }),
        ],
      }),
    )
    expect(p.metrics.map((m) => [m.name, m.value])).toEqual([
      ['n', null],
      ['b', null],
      ['ds', null],
    ])
  })

  it('leaves out what the payload does not carry: no name (alias only), no seq, no timestamps', () => {
    const p = decoded(encode({ metrics: [metric(undefined, 'Int32', 5, { alias: 9 })] }))
    expect(p).toEqual({ metrics: [{ alias: 9, datatype: 'Int32', value: 5 }] })
  })

  it('reads an empty payload as no metrics', () => {
    expect(decodePayload(Buffer.alloc(0))).toEqual({ ok: true, payload: { metrics: [] } })
  })

  it.each([
    ['text', Buffer.from('hello world')],
    ['JSON', Buffer.from('{"state":"running"}')],
    ['truncated bytes', Buffer.from([0xff, 0xff, 0xff])],
  ])('says why %s is not a Sparkplug B payload', (_, bytes) => {
    const r = decodePayload(bytes)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toMatch(/^not a Sparkplug B payload: \S/)
  })
})

describe('encodeCommand', () => {
  it('writes one metric by name with its datatype, value and the time', () => {
    const p = decoded(encodeCommand('Node Control/Rebirth', 'Boolean', true, 1_700_000_000_000))
    expect(p).toEqual({
      timestamp: 1_700_000_000_000,
      metrics: [{ name: 'Node Control/Rebirth', datatype: 'Boolean', value: true }],
    })
  })

  it.each([
    ['Int64', 12],
    ['Double', 2.5],
    ['String', 'stop'],
    ['Boolean', false],
  ] as const)('round-trips a %s value', (datatype, value) => {
    const [m] = decoded(encodeCommand('Maintenance/Active', datatype, value, 1)).metrics
    expect(m).toEqual({ name: 'Maintenance/Active', datatype, value })
  })

  // Tahu marks a metric null only for `value: null`.
  it('writes a null value as a null metric', () => {
    const [m] = decoded(encodeCommand('x', 'Int32', null, 1)).metrics
    expect(m).toEqual({ name: 'x', datatype: 'Int32', value: null })
  })
})

describe('datatypeOf', () => {
  it('sends booleans as Boolean, text as String, integers as Int64 and fractions as Double', () => {
    expect(datatypeOf(true)).toBe('Boolean')
    expect(datatypeOf('x')).toBe('String')
    expect(datatypeOf(3)).toBe('Int64')
    expect(datatypeOf(-3)).toBe('Int64')
    expect(datatypeOf(3.5)).toBe('Double')
  })
})
