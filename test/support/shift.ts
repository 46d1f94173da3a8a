const T0 = Date.parse('2024-03-01T08:00:00.000Z')
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString()

/** A shift on one machine, in batches: reference data, prices, states, parts, readings. */
export function shift(prefix: string): { topic: string; payload: string }[][] {
  const m = (leaf: string, body: unknown) => ({
    topic: `${prefix}/machines/press-1/${leaf}`,
    payload: JSON.stringify(body),
  })
  const parts = (from: number, count: number, damagedEvery: number) =>
    Array.from({ length: count }, (_, i) =>
      m('production', {
        timeOfProduction: at(from + i * 0.5),
        order: 42,
        partId: 7,
        var5: (i + 1) % damagedEvery === 0,
      }),
    )
  return [
    [
      {
        topic: `${prefix}/materials/steel`,
        payload: JSON.stringify({ name: 'Steel S235', price: 2.5, date: at(-60) }),
      },
      {
        topic: `${prefix}/materials/copper`,
        payload: JSON.stringify({ name: 'Copper', price: 8, date: at(-60) }),
      },
      {
        topic: `${prefix}/parts/7/info`,
        payload: JSON.stringify({
          defaultPrice: 19.9,
          timeToProduce: 30,
          materials: ['steel', 'copper'],
        }),
      },
    ],
    [
      m('status', { state: 'running', at: at(0) }),
      ...parts(0, 20, 10),
      m('telemetry', { at: at(10), metrics: { temp: 61.5, rpm: 1200 } }),
    ],
    [
      m('status', { state: 'down', at: at(10), reason: 'jam' }),
      m('status', { state: 'running', at: at(15) }),
      ...parts(15, 30, 6),
    ],
    [
      {
        topic: `${prefix}/materials/steel`,
        payload: JSON.stringify({ name: 'Steel S235', price: 3, date: at(20) }),
      },
      m('telemetry', { at: at(30), metrics: { temp: 63 } }),
      m('status', { state: 'idle', at: at(30) }),
    ],
  ]
}
