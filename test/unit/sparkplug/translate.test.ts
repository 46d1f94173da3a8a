import type { Reading } from '../../../src/sparkplug/edge-sessions'
import type { MachineMapping } from '../../../src/sparkplug/mapping'
import {
  counterNames,
  MAX_PARTS_PER_MESSAGE,
  telemetryName,
  translate,
  type MachineMemory,
} from '../../../src/sparkplug/translate'
import { bodies, expectContract, freshMemory, simulatorMapping, mappingOf, PREFIX } from './support'

const T = Date.parse('2024-03-01T08:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()
const KEY = 'sp:abc'

/** The simulator's mapping of M-7. */
const sim = (): MachineMapping =>
  simulatorMapping().resolve({ group: 'millstream-sim', edgeNode: 'line-1', device: 'M-7' })!

/** A machine mapping from one rule's contents. */
const machine = (rule: Record<string, unknown>): MachineMapping =>
  mappingOf({
    machines: [{ match: { group: 'g', edgeNode: 'n' }, machineId: 'm1', ...rule }],
  }).resolve({ group: 'g', edgeNode: 'n' })!

const r = (name: string, value: Reading['value'], timestamp = T): Reading => ({
  name,
  value,
  timestamp,
})

const run = (readings: Reading[], mapping = sim(), memory = freshMemory(), key = KEY) => {
  const t = translate(readings, mapping, memory, PREFIX, key)
  expectContract(t.inputs)
  return t
}

const kinds = (t: { inputs: { topic: string }[] }) => t.inputs.map((i) => i.topic.split('/').at(-1))

/** A memory that has seen the counters at these values and knows part 5 of order 9. */
const seen = (parts = 10, scrap = 0): MachineMemory => ({
  counters: new Map([
    ['Production/PartCount', parts],
    ['Production/ScrapCount', scrap],
  ]),
  scrapPending: 0,
  partId: 5,
  order: 9,
})

describe('translate: stop reasons', () => {
  const stopReason = (v: Reading['value'], at = T) => r('Status/StopReason', v, at)

  it('gives each state change the reason code its value maps to, and none for running', () => {
    // StopReason 1 is BRK-SPINDLE, 8 SETUP in the simulator's mapping; 0 is no reason.
    const t = run([
      stopReason(1, T),
      r('Status/RunState', 2, T),
      stopReason(0, T + 5),
      r('Status/RunState', 1, T + 5),
      stopReason(8, T + 9),
      r('Status/RunState', 0, T + 9),
    ])
    expect(bodies(t.inputs).map((b) => [b.state, b.reason])).toEqual([
      ['down', 'BRK-SPINDLE'],
      ['running', undefined],
      ['idle', 'SETUP'],
    ])
    expect(t.problems).toEqual([])
  })

  it('pairs by time, not by order in the message (a birth lists the state first)', () => {
    const t = run([r('Status/RunState', 0, T), stopReason(11, T)])
    expect(bodies(t.inputs)).toEqual([
      { state: 'idle', at: iso(T), reason: 'BREAK', messageId: `${KEY}:s0` },
    ])
  })

  it('gives no reason when the message has none at or before the change', () => {
    const t = run([r('Status/RunState', 2, T), stopReason(3, T + 1)])
    expect(bodies(t.inputs)[0]?.reason).toBeUndefined()
  })

  it('keeps a text code the map lacks as given, and names a number it lacks as a problem', () => {
    const text = run([r('S', 2), r('R', 'CUSTOM-7')], withReason())
    expect(bodies(text.inputs)[0]?.reason).toBe('CUSTOM-7')
    const number = run([r('S', 2), r('R', 99)], withReason())
    expect(bodies(number.inputs)[0]).not.toHaveProperty('reason')
    expect(number.problems).toEqual(["R = 99 is not in the mapping's reason values"])
  })

  it('is not telemetry', () => {
    const t = run([stopReason(3), r('Sensors/Power', 2)])
    expect(kinds(t)).toEqual(['telemetry'])
    expect(bodies(t.inputs)[0]?.metrics).toEqual({ power: 2 })
  })
})

const withReason = () =>
  machine({
    state: { metric: 'S', values: { '2': 'down' } },
    reason: { metric: 'R', valueMap: { '1': 'BRK-TOOL' } },
  })

describe('translate: run state', () => {
  it('reports the state the value map names, at the reading time', () => {
    const t = run([r('Status/RunState', 1, T + 7)])
    expect(t).toEqual({
      inputs: [
        {
          topic: 'plant/machines/M-7/status',
          payload: JSON.stringify({ state: 'running', at: iso(T + 7), messageId: `${KEY}:s0` }),
        },
      ],
      problems: [],
    })
  })

  it('reports every state reading of a message, in order', () => {
    const t = run([
      r('Status/RunState', 2, T),
      r('Status/RunState', 3, T + 1),
      r('Status/RunState', 0, T + 2),
    ])
    expect(bodies(t.inputs).map((b) => b.state)).toEqual(['down', 'maintenance', 'idle'])
  })

  it('names a value the map does not have as a problem, and reports no state for it', () => {
    const t = run([r('Status/RunState', 7), r('Status/RunState', null)])
    expect(t.inputs).toEqual([])
    expect(t.problems).toEqual([
      "Status/RunState = 7 is not in the mapping's state values",
      "Status/RunState = null is not in the mapping's state values",
    ])
  })

  it('maps text and boolean state values by their text', () => {
    const mapping = machine({
      state: { metric: 'Running', values: { true: 'running', false: 'idle', STOP: 'down' } },
    })
    const t = run([r('Running', true), r('Running', false), r('Running', 'STOP')], mapping)
    expect(bodies(t.inputs).map((b) => b.state)).toEqual(['running', 'idle', 'down'])
  })

  // The value map is a plain object: its prototype's names are not values.
  it('names a value that is only a property of every object as a problem', () => {
    const mapping = machine({ state: { metric: 'Mode', values: { AUTO: 'running' } } })
    const t = translate([r('Mode', 'toString')], mapping, freshMemory(), PREFIX, KEY)
    expect(t).toEqual({
      inputs: [],
      problems: ["Mode = toString is not in the mapping's state values"],
    })
  })
})

describe('translate: parts', () => {
  it('takes the first sight of a counter as its baseline: no parts', () => {
    const memory = freshMemory()
    const t = run(
      [r('Production/PartCount', 10), r('Production/PartId', 5), r('Production/Order', 9)],
      sim(),
      memory,
    )
    expect(kinds(t)).toEqual(['telemetry'])
    expect(t.problems).toEqual([])
    expect(memory.counters.get('Production/PartCount')).toBe(10)
  })

  it('reports one production report per counted part, at the counter reading time', () => {
    const t = run([r('Production/PartCount', 13, T + 3)], sim(), seen(10))
    expect(kinds(t)).toEqual(['production', 'production', 'production', 'telemetry'])
    expect(bodies(t.inputs).slice(0, 3)).toEqual(
      [0, 1, 2].map((n) => ({
        timeOfProduction: iso(T + 3),
        order: 9,
        partId: 5,
        var5: false,
        messageId: `${KEY}:p${n}`,
      })),
    )
    expect(t.inputs[0]?.topic).toBe('plant/machines/M-7/production')
  })

  it('counts from the new baseline after a counter decrease (a reset), which makes no parts', () => {
    const memory = seen(10)
    expect(kinds(run([r('Production/PartCount', 2)], sim(), memory))).toEqual(['telemetry'])
    expect(memory.counters.get('Production/PartCount')).toBe(2)
    expect(kinds(run([r('Production/PartCount', 4)], sim(), memory))).toEqual([
      'production',
      'production',
      'telemetry',
    ])
  })

  it('counts nothing twice: the same counter value again makes no parts', () => {
    const memory = seen(10)
    run([r('Production/PartCount', 12)], sim(), memory)
    expect(kinds(run([r('Production/PartCount', 12)], sim(), memory))).toEqual(['telemetry'])
  })

  it('flags as damaged as many of the following parts as the scrap counter rose', () => {
    const t = run(
      [r('Production/ScrapCount', 2), r('Production/PartCount', 15)],
      sim(),
      seen(10, 0),
    )
    expect(
      bodies(t.inputs.filter((i) => i.topic.endsWith('/production'))).map((b) => b.var5),
    ).toEqual([true, true, false, false, false])
  })

  it('carries scrap over to the next parts when none are made yet', () => {
    const memory = seen(10, 0)
    const first = run([r('Production/ScrapCount', 3)], sim(), memory)
    expect(kinds(first)).toEqual(['telemetry'])
    expect(memory.scrapPending).toBe(3)
    const second = run([r('Production/PartCount', 12)], sim(), memory)
    expect(bodies(second.inputs.slice(0, 2)).map((b) => b.var5)).toEqual([true, true])
    expect(memory.scrapPending).toBe(1)
    const third = run([r('Production/PartCount', 14)], sim(), memory)
    expect(bodies(third.inputs.slice(0, 2)).map((b) => b.var5)).toEqual([true, false])
    expect(memory.scrapPending).toBe(0)
  })

  it('takes the first sight of the scrap counter as its baseline too', () => {
    const memory = seen(10)
    memory.counters.delete('Production/ScrapCount')
    const t = run([r('Production/ScrapCount', 50), r('Production/PartCount', 11)], sim(), memory)
    expect(bodies(t.inputs.slice(0, 1)).map((b) => b.var5)).toEqual([false])
    expect(memory.scrapPending).toBe(0)
  })

  it('remembers the part id and order last named, across messages', () => {
    const memory = freshMemory()
    run(
      [r('Production/PartCount', 0), r('Production/PartId', 41), r('Production/Order', 7)],
      sim(),
      memory,
    )
    expect(memory).toMatchObject({ partId: 41, order: 7 })
    const t = run([r('Production/PartCount', 1)], sim(), memory)
    expect(bodies(t.inputs.slice(0, 1))).toEqual([
      expect.objectContaining({ partId: 41, order: 7 }),
    ])
    // A new part id in the same message as the parts: they are of the new one.
    const t2 = run([r('Production/PartCount', 2), r('Production/PartId', 42)], sim(), memory)
    expect(bodies(t2.inputs.slice(0, 1))).toEqual([
      expect.objectContaining({ partId: 42, order: 7 }),
    ])
  })

  it('does not remember a part id that is not a whole number from 0', () => {
    const memory = seen(10)
    run([r('Production/PartId', -1), r('Production/Order', 2.5)], sim(), memory)
    expect(memory).toMatchObject({ partId: 5, order: 9 })
  })

  it('takes fixed part id and order (order 0 when not given)', () => {
    const mapping = machine({ parts: { counter: 'Count', partId: { fixed: 77 } } })
    const memory = freshMemory()
    run([r('Count', 1)], mapping, memory)
    const t = run([r('Count', 2)], mapping, memory)
    expect(bodies(t.inputs.slice(0, 1))).toEqual([
      expect.objectContaining({ partId: 77, order: 0 }),
    ])
  })

  it('names parts made without a part id known as a problem, and reports none', () => {
    const memory = { ...seen(10), partId: undefined }
    const t = run([r('Production/PartCount', 12)], sim(), memory)
    expect(kinds(t)).toEqual(['telemetry'])
    expect(t.problems).toEqual(['2 parts made, but no part id is known yet'])
  })

  it('names parts made without an order known as a problem, and reports none', () => {
    const memory = { ...seen(10), order: undefined }
    const t = run([r('Production/PartCount', 12)], sim(), memory)
    expect(kinds(t)).toEqual(['telemetry'])
    expect(t.problems).toEqual(['2 parts made, but no order is known yet'])
  })

  it(`reports at most ${MAX_PARTS_PER_MESSAGE} parts of one message, naming the rest as a problem`, () => {
    const t = translate(
      [r('Production/PartCount', 10 + MAX_PARTS_PER_MESSAGE + 5)],
      sim(),
      seen(10),
      PREFIX,
      KEY,
    )
    expect(t.inputs.filter((i) => i.topic.endsWith('/production'))).toHaveLength(
      MAX_PARTS_PER_MESSAGE,
    )
    expect(t.problems).toEqual([
      `Production/PartCount rose by ${MAX_PARTS_PER_MESSAGE + 5}; ${MAX_PARTS_PER_MESSAGE} parts reported, the rest dropped`,
    ])
  })

  it.each([
    ['negative', -1],
    ['fractional', 2.5],
    ['text', '12'],
    ['null', null],
  ])('names a %s counter value as a problem and counts nothing', (_, value) => {
    const memory = seen(10)
    const t = translate([r('Production/PartCount', value)], sim(), memory, PREFIX, KEY)
    expect(t.inputs.filter((i) => i.topic.endsWith('/production'))).toEqual([])
    expect(t.problems).toEqual([`Production/PartCount = ${String(value)} is not a counter value`])
    expect(memory.counters.get('Production/PartCount')).toBe(10)
  })
})

describe('translate: telemetry', () => {
  it('reports numbers and booleans (1/0) under the mapping names, else the Sparkplug name made valid', () => {
    const t = run([
      r('Sensors/Temperature', 61.5),
      r('Maintenance/Active', true),
      r('Door/Open', false),
      r('Motor/Current (A)', 3),
      r('Production/PartCount', 10),
      r('Firmware', 'v1.2'),
      r('Spare', null),
      r('Bad', Number.NaN),
      r('Worse', Number.POSITIVE_INFINITY),
    ])
    expect(t.inputs).toEqual([
      {
        topic: 'plant/machines/M-7/telemetry',
        payload: JSON.stringify({
          at: iso(T),
          metrics: {
            temperature: 61.5,
            'Maintenance.Active': 1,
            'Door.Open': 0,
            'Motor.Current__A_': 3,
            'Production.PartCount': 10,
          },
          messageId: `${KEY}:t0`,
        }),
      },
    ])
  })

  it('leaves the state metric out of telemetry', () => {
    expect(kinds(run([r('Status/RunState', 1)]))).toEqual(['status'])
  })

  it('cuts a Sparkplug name to 64 characters', () => {
    expect(telemetryName(`${'a/'.repeat(40)}`, sim())).toBe('a.'.repeat(32))
  })

  it('groups readings by their time, earliest first', () => {
    const t = run([
      r('Sensors/Power', 2, T + 10),
      r('Sensors/Vibration', 1, T),
      r('Sensors/Temperature', 3, T + 10),
    ])
    expect(bodies(t.inputs)).toEqual([
      { at: iso(T), metrics: { vibration: 1 }, messageId: `${KEY}:t0` },
      { at: iso(T + 10), metrics: { power: 2, temperature: 3 }, messageId: `${KEY}:t1` },
    ])
  })

  it('puts at most 200 metrics in one telemetry message', () => {
    const readings = Array.from({ length: 450 }, (_, i) => r(`Tag/${i}`, i))
    const t = run(readings, machine({}))
    expect(bodies(t.inputs).map((b) => Object.keys(b.metrics as object).length)).toEqual([
      200, 200, 50,
    ])
    const all = Object.assign({}, ...bodies(t.inputs).map((b) => b.metrics)) as Record<
      string,
      number
    >
    expect(Object.keys(all)).toHaveLength(450)
    expect(all['Tag.449']).toBe(449)
  })

  // The names map is a plain object: its prototype's names are not names.
  it('names a metric called like a property of every object by its own name', () => {
    expect(telemetryName('constructor', sim())).toBe('constructor')
  })
})

describe('translate: order and message ids', () => {
  const message = () => [
    r('Sensors/Temperature', 60, T + 1),
    r('Production/PartCount', 12, T),
    r('Status/RunState', 1, T),
  ]

  it('gives status, then production, then telemetry, each kind numbered on its own', () => {
    const t = run(message(), sim(), seen(10))
    expect(kinds(t)).toEqual(['status', 'production', 'production', 'telemetry', 'telemetry'])
    expect(bodies(t.inputs).map((b) => b.messageId)).toEqual(
      ['s0', 'p0', 'p1', 't0', 't1'].map((n) => `${KEY}:${n}`),
    )
  })

  it('gives the same inputs and ids for the same message from the same memory', () => {
    const a = run(message(), sim(), seen(10))
    const b = run(message(), sim(), seen(10))
    expect(b).toEqual(a)
    expect(run(message(), sim(), seen(10), 'sp:other').inputs.map((i) => i.payload)).not.toEqual(
      a.inputs.map((i) => i.payload),
    )
  })

  // A message seen again (a redelivery: its parts are counted already) makes fewer inputs; its
  // telemetry must keep its id, or it would be absorbed as a duplicate of a production report.
  it('gives a message seen again its telemetry under the id it had the first time', () => {
    const memory = seen(10)
    const first = translate(message(), sim(), memory, PREFIX, KEY)
    const again = translate(message(), sim(), memory, PREFIX, KEY)
    const telemetryIds = (t: typeof first) =>
      bodies(t.inputs.filter((i) => i.topic.endsWith('/telemetry'))).map((b) => b.messageId)
    expect(telemetryIds(again)).toEqual(telemetryIds(first))
  })
})

describe('counterNames', () => {
  it('names the part and scrap counters with the telemetry names they are kept under', () => {
    expect(counterNames(sim())).toEqual([
      { counter: 'Production/PartCount', telemetry: 'Production.PartCount' },
      { counter: 'Production/ScrapCount', telemetry: 'Production.ScrapCount' },
    ])
  })

  it('uses the mapping telemetry name of a counter, and has none without parts', () => {
    const mapping = machine({
      parts: { counter: 'Count', partId: { fixed: 1 } },
      telemetry: { Count: 'parts' },
    })
    expect(counterNames(mapping)).toEqual([{ counter: 'Count', telemetry: 'parts' }])
    expect(counterNames(machine({}))).toEqual([])
  })

  it('names the counter as translate keeps it in telemetry', () => {
    const t = run(
      [r('Production/PartCount', 4), r('Production/ScrapCount', 1)],
      sim(),
      freshMemory(),
    )
    const metrics = bodies(t.inputs)[0]?.metrics as Record<string, number>
    for (const { telemetry } of counterNames(sim())) expect(metrics[telemetry]).toBeDefined()
  })
})
