import { benchMessage, DEFAULT_MIX } from '../../../bench/load/messages'
import {
  acceptLegacyProduction,
  acceptProduction,
  acceptTelemetry,
} from '../../../src/domain/fast-accept'
import { telemetryPayloadSchema } from '../../../src/domain/input-schemas'
import { decodeInput } from '../../../src/domain/inputs'
import {
  legacyProductionPayloadSchema,
  productionPayloadSchema,
} from '../../../src/domain/production'
import { EPOCH_MS_MAX } from '../../../src/domain/timestamps'

/** A seeded PRNG (mulberry32): every run sees the same cases, and a failure names its seed. */
function random(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T
  return { next, int, pick, chance: (p: number) => next() < p }
}
type Random = ReturnType<typeof random>

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  1.5,
  -1.5,
  0.1,
  5e-324,
  1702166400000,
  1702166400000.5,
  EPOCH_MS_MAX,
  EPOCH_MS_MAX + 1,
  -EPOCH_MS_MAX,
  2 ** 31,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  -1e21,
  Number.MAX_VALUE,
  NaN,
  Infinity,
  -Infinity,
]
const STRINGS = [
  '',
  'a',
  '1',
  '0',
  'ok',
  'm-2',
  'press.2:a_b',
  'a b',
  ' 1',
  'a/b',
  'é',
  '\u00ff\u0100',
  '\0',
  'a\u0000b',
  '\ud800',
  'a\udc00',
  '\ud83d\ude00',
  '\ude00\ud83d',
  '\ud83d\ude00'.repeat(100),
  '\ud83d\ude00'.repeat(101),
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(199),
  'x'.repeat(200),
  'x'.repeat(201),
  'x'.repeat(1024),
  'x'.repeat(1025),
  '\ud83d\ude00'.repeat(512),
  '2023-12-10T00:00:00.000Z',
  '2023-12-10T00:00:00+01:00',
  '2023-12-10',
  '1702166400000',
  'NaN',
  'Infinity',
  'true',
]
const OTHERS: unknown[] = [true, false, null, undefined, [], [1], {}, { a: 1 }]

/** Any value of the pools: the edge cases every field is tried with. */
const anyValue = (r: Random): unknown =>
  r.chance(0.45) ? r.pick(NUMBERS) : r.chance(0.7) ? r.pick(STRINGS) : r.pick(OTHERS)

const EXTRA_KEYS = ['colour', 'constructor', 'toString', 'metrics', 'at', 'var6', 'MessageId', '']

/** Replaces, deletes or adds a few fields of a body, or adds an own `__proto__` key. */
function mutate(r: Random, body: Record<string, unknown>, fields: readonly string[]) {
  const out: Record<string, unknown> = { ...body }
  const n = r.int(3)
  for (let i = 0; i < n; i++) {
    const roll = r.next()
    if (roll < 0.5) out[r.pick(fields)] = anyValue(r)
    else if (roll < 0.8) delete out[r.pick(fields)]
    else if (roll < 0.95) out[r.pick(EXTRA_KEYS)] = anyValue(r)
    else Object.defineProperty(out, '__proto__', { value: 1, enumerable: true, writable: true })
  }
  return out
}

/** As the body arrives (through JSON), or as an object built in code (undefined, NaN kept). */
const delivered = (r: Random, body: unknown): unknown =>
  r.chance(0.6) ? JSON.parse(JSON.stringify(body) ?? 'null') : body

const PRODUCTION_FIELDS = [
  'timeOfProduction',
  'order',
  'partId',
  'machineId',
  'var1',
  'var2',
  'var3',
  'var4',
  'var5',
  'messageId',
] as const

function productionBody(r: Random): Record<string, unknown> {
  const machine = 1 + r.int(1000)
  const body: Record<string, unknown> = {
    timeOfProduction: r.chance(0.9) ? 1702166400000 + r.int(1e9) : r.int(1e6),
    order: 1000 + r.int(100),
    partId: 1 + (machine % 20),
    machineId: r.chance(0.8) ? machine : `m-${machine}`,
    var1: Math.round(r.next() * 1000) / 10,
    var2: `lot-run-${r.int(100)}`,
    var3: 'ok',
    var4: 12.5,
    var5: r.chance(0.9) ? false : true,
    messageId: `run-${r.int(1e6)}`,
  }
  // Optional fields left out, as other gateways send them.
  for (const f of ['machineId', 'var1', 'var2', 'var3', 'var4', 'var5', 'messageId']) {
    if (r.chance(0.15)) delete body[f]
  }
  return body
}

const METRIC_NAMES = ['spindleTemp', 'feedRate', 'vibration.x', 'motor_current', 'power-kW', 'p1']
const EDGE_METRIC_NAMES = [
  '',
  'a'.repeat(64),
  'a'.repeat(65),
  'a b',
  'é',
  'x/y',
  'x:y',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '0',
  '1',
  '42',
  '4294967295',
  '-1',
  '1.5',
  'NaN',
]

function metrics(r: Random, count: number): Record<string, unknown> {
  const m: Record<string, unknown> = {}
  for (let i = 0; i < count; i++) {
    m[`${r.pick(METRIC_NAMES)}${i}`] = Math.round((50 + Math.sin(i) * 20) * 100) / 100
  }
  return m
}

function telemetryBody(r: Random): Record<string, unknown> {
  const count = r.chance(0.7) ? 10 : r.pick([0, 1, 2, 199, 200, 201])
  const body: Record<string, unknown> = {
    at: r.chance(0.9) ? 1702166400000 + r.int(1e9) : r.int(1e6),
    metrics: metrics(r, count),
  }
  if (r.chance(0.3)) body.machineId = r.chance(0.5) ? 1 + r.int(1000) : `m-${r.int(1000)}`
  if (r.chance(0.3)) body.messageId = `t-${r.int(1e6)}`
  return body
}

function mutateMetrics(r: Random, m: Record<string, unknown>): Record<string, unknown> {
  const out = { ...m }
  const names = Object.keys(out)
  const n = r.int(3)
  for (let i = 0; i < n; i++) {
    const roll = r.next()
    if (roll < 0.4 && names.length > 0) out[r.pick(names)] = anyValue(r)
    else if (roll < 0.8) out[r.pick(EDGE_METRIC_NAMES)] = r.chance(0.7) ? r.pick(NUMBERS) : 1
    else if (names.length > 0) delete out[r.pick(names)]
  }
  if (r.chance(0.03)) {
    Object.defineProperty(out, '__proto__', { value: 1, enumerable: true, writable: true })
  }
  return out
}

/** Every object's keys in order, depth first: zod's output order is part of its value. */
function keyOrder(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return null
  return Object.keys(v).map((k) => [k, keyOrder((v as Record<string, unknown>)[k])])
}

type Schema = {
  safeParse(body: unknown): { success: true; data: unknown } | { success: false }
}

/** Whenever `fast` accepts a body, zod accepts it with the very same value. */
function expectAgreement(
  fast: (body: unknown) => unknown,
  schema: Schema,
  bodies: Iterable<unknown>,
) {
  let accepted = 0
  let zodAccepted = 0
  for (const body of bodies) {
    const mine = fast(body)
    const zod = schema.safeParse(body)
    if (zod.success) zodAccepted++
    if (mine === undefined) continue
    accepted++
    if (!zod.success) throw new Error(`accepted what zod rejects: ${show(body)}`)
    try {
      expect(mine).toStrictEqual(zod.data)
      expect(keyOrder(mine)).toEqual(keyOrder(zod.data))
    } catch (err) {
      throw new Error(`a different value for ${show(body)}: ${(err as Error).message}`, {
        cause: err,
      })
    }
    expect(mine).not.toBe(body)
  }
  return { accepted, zodAccepted }
}

const show = (body: unknown) => {
  try {
    return JSON.stringify(body, (_, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v === undefined ? '<undef>' : v,
    ).slice(0, 400)
  } catch {
    return String(body)
  }
}

function* cases<T>(seed: number, n: number, make: (r: Random) => T) {
  const r = random(seed)
  for (let i = 0; i < n; i++) yield make(r)
}

const N = 4000

describe('fast accept path for production reports', () => {
  const bodies = (seed: number) =>
    cases(seed, N, (r) => {
      const base = productionBody(r)
      return delivered(r, r.chance(0.25) ? base : mutate(r, base, PRODUCTION_FIELDS))
    })

  it('accepts only what zod accepts, with the same value', () => {
    const { accepted, zodAccepted } = expectAgreement(
      acceptProduction,
      productionPayloadSchema,
      bodies(1),
    )
    // It is used: most of what zod accepts in this mix takes the fast path.
    expect(accepted).toBeGreaterThan(zodAccepted * 0.6)
  })

  it('agrees with the legacy schema (machineId required) too', () => {
    const { accepted } = expectAgreement(
      acceptLegacyProduction,
      legacyProductionPayloadSchema,
      bodies(2),
    )
    expect(accepted).toBeGreaterThan(N / 5)
    expect(acceptLegacyProduction({ timeOfProduction: 1, order: 1, partId: 1 })).toBeUndefined()
  })

  it('fills in the default var5 and keeps epoch milliseconds', () => {
    expect(acceptProduction({ timeOfProduction: 5, order: 1, partId: 2 })).toStrictEqual({
      timeOfProduction: 5,
      order: 1,
      partId: 2,
      var5: false,
    })
  })

  it.each<[string, Record<string, unknown>]>([
    ['an ISO timestamp', { timeOfProduction: '2023-12-10T00:00:00.000Z' }],
    ['a timestamp past year 9999', { timeOfProduction: EPOCH_MS_MAX + 1 }],
    ['a fractional timestamp', { timeOfProduction: 1.5 }],
    ['a negative order', { order: -1 }],
    ['an order beyond safe integers', { order: 2 ** 53 }],
    ['a string partId', { partId: '4' }],
    ['an unknown key', { colour: 'red' }],
    ['a key holding undefined', { var1: undefined }],
    ['NaN', { var1: NaN }],
    ['Infinity', { var4: Infinity }],
    ['var2 with U+0000', { var2: 'a\u0000' }],
    ['var2 with a paired surrogate (left to zod)', { var2: '\ud83d\ude00' }],
    ['var3 over 1024 characters', { var3: 'x'.repeat(1025) }],
    ['an empty messageId', { messageId: '' }],
    ['a messageId over 200 characters', { messageId: 'x'.repeat(201) }],
    ['a machineId with a space', { machineId: 'a b' }],
    ['a fractional machineId', { machineId: 1.5 }],
    ['var5 as text', { var5: 'false' }],
  ])('declines %s', (_, change) => {
    const body = { timeOfProduction: 1, order: 1, partId: 1, ...change }
    expect(acceptProduction(body)).toBeUndefined()
  })

  it('declines a missing required field and a non-object', () => {
    expect(acceptProduction({ timeOfProduction: 1, order: 1 })).toBeUndefined()
    expect(acceptProduction([1])).toBeUndefined()
    expect(acceptProduction(null)).toBeUndefined()
    expect(
      acceptProduction(JSON.parse('{"timeOfProduction":1,"order":1,"partId":1,"__proto__":1}')),
    ).toBeUndefined()
  })
})

describe('fast accept path for telemetry', () => {
  it('accepts only what zod accepts, with the same value', () => {
    const bodies = cases(3, N, (r) => {
      const base = telemetryBody(r)
      const body = r.chance(0.5)
        ? { ...base, metrics: mutateMetrics(r, base.metrics as Record<string, unknown>) }
        : base
      return delivered(
        r,
        r.chance(0.7) ? body : mutate(r, body, ['at', 'metrics', 'machineId', 'messageId']),
      )
    })
    const { accepted, zodAccepted } = expectAgreement(
      acceptTelemetry,
      telemetryPayloadSchema,
      bodies,
    )
    expect(accepted).toBeGreaterThan(zodAccepted * 0.6)
  })

  it('takes 1 to 200 metrics and copies them in order', () => {
    for (const n of [1, 200]) {
      const body = { at: 1, metrics: metrics(random(n), n) }
      const out = acceptTelemetry(body)
      expect(out).toStrictEqual(telemetryPayloadSchema.parse(body))
      expect(out?.metrics).not.toBe(body.metrics)
    }
    expect(acceptTelemetry({ at: 1, metrics: {} })).toBeUndefined()
    expect(acceptTelemetry({ at: 1, metrics: metrics(random(1), 201) })).toBeUndefined()
  })

  it.each<[string, unknown]>([
    ['a bad metric name', { 'a b': 1 }],
    ['a metric name of 65 characters', { ['a'.repeat(65)]: 1 }],
    ['a metric as text', { a: '1' }],
    ['a metric that is null', { a: null }],
    ['a __proto__ metric (zod drops it)', JSON.parse('{"a":1,"__proto__":2}')],
    ['a symbol key (zod rejects it)', { a: 1, [Symbol('s')]: 2 }],
    ['an array', [1]],
    ['an object with another prototype', Object.assign(Object.create(null) as object, { a: 1 })],
  ])('declines %s', (_, m) => {
    expect(acceptTelemetry({ at: 1, metrics: m })).toBeUndefined()
  })

  it('declines an ISO timestamp and a machineId zod would not take', () => {
    const m = { a: 1 }
    expect(acceptTelemetry({ at: '2023-12-10T00:00:00Z', metrics: m })).toBeUndefined()
    expect(acceptTelemetry({ at: 1, metrics: m, machineId: -1 })).toBeUndefined()
    expect(acceptTelemetry({ at: 1, metrics: m, machineId: '' })).toBeUndefined()
    expect(acceptTelemetry({ at: 1, metrics: m, messageId: '\ud800' })).toBeUndefined()
  })
})

describe('the bench message mix', () => {
  const messages = Array.from({ length: 500 }, (_, n) =>
    benchMessage('factory', DEFAULT_MIX, 'run-1', n, 1702166400000 + n),
  )

  it('takes the fast path, with the values zod would give', () => {
    for (const { topic, payload } of messages) {
      const body: unknown = JSON.parse(payload)
      const [fast, schema] = topic.endsWith('/telemetry')
        ? [acceptTelemetry, telemetryPayloadSchema]
        : [acceptProduction, productionPayloadSchema]
      const mine = fast(body)
      expect(mine).toBeDefined()
      expect(mine).toStrictEqual(schema.parse(body))
    }
  })

  it('decodes into inputs', () => {
    for (const { topic, payload } of messages) {
      const r = decodeInput({ topic, payload: Buffer.from(payload) }, 'factory', 64 * 1024)
      expect(r.ok).toBe(true)
    }
  })

  it('is rejected by zod, with its message, on a mismatched machineId', () => {
    const production = messages.find((m) => m.topic.endsWith('/production'))
    if (!production) throw new Error('no production message')
    const r = decodeInput(
      { topic: 'factory/machines/other/production', payload: Buffer.from(production.payload) },
      'factory',
      64 * 1024,
    )
    expect(r).toEqual({
      ok: false,
      reason: expect.stringMatching(/^machineId \d+ in body does not match topic machineId other$/),
    })
  })
})
