import { decodeInput } from '../../../src/domain/inputs'

const decode = (topic: string, payload: string | Buffer, max = 64 * 1024) =>
  decodeInput(
    { topic, payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload) },
    'factory',
    max,
  )

const GOOD =
  '{"timeOfProduction":"2023-12-10T00:00:00.000Z","order":5,"var5":false,"machineId":1,"partId":4}'

describe('production input contract', () => {
  it('accepts the original gateway payload and normalises it', () => {
    const r = decode('factory/machines/1/production', GOOD)
    expect(r).toEqual({
      ok: true,
      input: expect.objectContaining({
        entity: 'machine',
        entityKey: '1',
        input: {
          kind: 'production',
          report: expect.objectContaining({
            machineId: '1',
            partId: 4,
            order: 5,
            damaged: false,
            producedAt: 1702166400000,
          }),
        },
      }),
    })
  })

  it('accepts epoch milliseconds for timeOfProduction', () => {
    const r = decode(
      'factory/machines/m-2/production',
      '{"timeOfProduction":1702166400000,"order":1,"partId":2}',
    )
    expect(r.ok && r.input.input.kind === 'production' && r.input.input.report.producedAt).toBe(
      1702166400000,
    )
  })

  it('uses messageId as the idempotency key when given, else a hash of topic and payload', () => {
    const withId = decode(
      'factory/machines/1/production',
      '{"timeOfProduction":0,"order":1,"partId":2,"messageId":"abc"}',
    )
    expect(withId.ok && withId.input.idempotencyKey).toBe('abc')
    const a = decode('factory/machines/1/production', GOOD)
    const b = decode('factory/machines/1/production', GOOD)
    const c = decode(
      'factory/machines/2/production',
      GOOD.replace('"machineId":1', '"machineId":2'),
    )
    expect(a.ok && b.ok && a.input.idempotencyKey === b.input.idempotencyKey).toBe(true)
    expect(a.ok && c.ok && a.input.idempotencyKey !== c.input.idempotencyKey).toBe(true)
  })

  it('reads the machine id from the body on the legacy supply-chain topic', () => {
    const r = decode('supply-chain', GOOD)
    expect(r.ok && r.input.entityKey).toBe('1')
    expect(decode('supply-chain', '{"timeOfProduction":0,"order":1,"partId":2}')).toEqual({
      ok: false,
      reason: expect.stringMatching(/machineId/),
    })
  })

  const rejected: [string, string, string | Buffer, RegExp][] = [
    ['not JSON', 'factory/machines/1/production', 'not json', /not UTF-8 JSON/],
    ['a JSON array', 'factory/machines/1/production', '[1,2]', /JSON object/],
    [
      'missing partId',
      'factory/machines/1/production',
      '{"timeOfProduction":0,"order":1}',
      /partId/,
    ],
    [
      'order not an integer',
      'factory/machines/1/production',
      '{"timeOfProduction":0,"order":1.5,"partId":1}',
      /order: must be an integer/,
    ],
    [
      'order a string',
      'factory/machines/1/production',
      '{"timeOfProduction":0,"order":"5","partId":1}',
      /order/,
    ],
    [
      'a bad date',
      'factory/machines/1/production',
      '{"timeOfProduction":"yesterday","order":1,"partId":1}',
      /timeOfProduction/,
    ],
    [
      'a body machineId that differs from the topic',
      'factory/machines/1/production',
      '{"timeOfProduction":0,"order":1,"partId":1,"machineId":2}',
      /does not match/,
    ],
    [
      'an unknown field',
      'factory/machines/1/production',
      '{"timeOfProduction":0,"order":1,"partId":1,"colour":"red"}',
      /colour/,
    ],
    [
      'var5 not a boolean',
      'factory/machines/1/production',
      '{"timeOfProduction":0,"order":1,"partId":1,"var5":"no"}',
      /var5/,
    ],
    [
      'invalid UTF-8',
      'factory/machines/1/production',
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
      /UTF-8/,
    ],
    ['an unknown topic', 'factory/ovens/1/heat', GOOD, /unknown topic/],
    ['a machine id with spaces', 'factory/machines/a b/production', GOOD, /unknown topic/],
  ]
  it.each(rejected)('rejects %s with a reason', (_name, topic, payload, reason) => {
    const r = decode(topic, payload)
    expect(r.ok).toBe(false)
    expect(!r.ok && r.reason).toMatch(reason)
  })

  it('reads operator commands from the machine commands topic', () => {
    const r = decode('factory/machines/7/commands', '{"type":"reset-counters","requestedBy":"ops"}')
    expect(r.ok && r.input.input).toMatchObject({
      kind: 'command',
      command: 'reset-counters',
      requestedBy: 'ops',
    })
    expect(decode('factory/machines/7/commands', '{"type":"explode"}')).toEqual({
      ok: false,
      reason: expect.stringMatching(/type/),
    })
  })

  it('reads alarm commands from the machine commands topic, with who sent them', () => {
    const shelve = decode(
      'factory/machines/7/commands',
      '{"type":"alarm-shelve","ruleId":"hot","reason":"sensor swap","forSeconds":600,"requestedBy":"ops"}',
    )
    expect(shelve.ok && shelve.input.input).toEqual({
      kind: 'alarm',
      command: { action: 'shelve', ruleId: 'hot', reason: 'sensor swap', forMs: 600_000 },
      requestedBy: 'ops',
    })
    const ack = decode('factory/machines/7/commands', '{"type":"alarm-acknowledge","ruleId":"hot"}')
    expect(ack.ok && ack.input.input).toEqual({
      kind: 'alarm',
      command: { action: 'acknowledge', ruleId: 'hot' },
      requestedBy: null,
    })
    expect(decode('factory/machines/7/commands', '{"type":"alarm-shelve","ruleId":"hot"}')).toEqual(
      {
        ok: false,
        reason: expect.stringMatching(/reason[\s\S]*forSeconds|forSeconds[\s\S]*reason/),
      },
    )
  })

  it('rejects a payload over the size limit before parsing it', () => {
    expect(decode('factory/machines/1/production', GOOD, 10)).toEqual({
      ok: false,
      reason: expect.stringMatching(/too large/),
    })
  })

  it.each([
    [
      'a material name with U+0000',
      'factory/materials/steel',
      '{"name":"st\\u0000eel","price":2,"date":1}',
    ],
    [
      'a material name with a lone surrogate',
      'factory/materials/steel',
      '{"name":"st\\ud800eel","price":2,"date":1}',
    ],
    [
      'a status reason with U+0000',
      'factory/machines/1/status',
      '{"state":"idle","at":1,"reason":"\\u0000"}',
    ],
    [
      'a production var2 with U+0000',
      'factory/machines/1/production',
      '{"timeOfProduction":1,"order":1,"partId":1,"var2":"\\u0000"}',
    ],
    [
      'a production messageId with a lone low surrogate',
      'factory/machines/1/production',
      '{"timeOfProduction":1,"order":1,"partId":1,"messageId":"\\udc00"}',
    ],
  ])('rejects text the event log cannot store: %s', (_, topic, payload) => {
    expect(decode(topic, payload)).toEqual({
      ok: false,
      reason: expect.stringContaining('must not contain U+0000 or an unpaired surrogate'),
    })
  })

  it('keeps text with paired surrogates (emoji)', () => {
    expect(
      decode('factory/materials/steel', '{"name":"st\\ud83d\\ude00eel","price":2,"date":1}'),
    ).toMatchObject({ ok: true })
  })
})

describe('status input contract', () => {
  it.each(['running', 'idle', 'down', 'maintenance', 'offline'])(
    'accepts the state %s',
    (state) => {
      expect(decode('factory/machines/1/status', `{"state":"${state}","at":1}`)).toMatchObject({
        ok: true,
        input: { input: { kind: 'status', state, at: 1, reason: null } },
      })
    },
  )

  // Unknown is the state before the first report: nothing reports it.
  it.each(['unknown', 'stopped'])('rejects the state %s', (state) => {
    const r = decode('factory/machines/1/status', `{"state":"${state}","at":1}`)
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/state/) })
  })
})
