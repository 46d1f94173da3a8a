import { decodeInput } from '../../../src/domain/inputs'
import { MachineModel } from '../../../src/simulate/machine-model'
import { MaterialMarket } from '../../../src/simulate/market'
import { MessageFactory, type SimMessage } from '../../../src/simulate/messages'
import { buildPlant } from '../../../src/simulate/plant'
import { Random } from '../../../src/simulate/random'

const START = Date.parse('2025-03-03T06:00:00Z')
const plant = buildPlant({
  seed: 5,
  machines: 12,
  scrapShare: 0.1,
  mtbfSeconds: 600,
  mttrSeconds: 120,
})

/** Everything a plant of 12 sends in two simulated hours at speed `speed`. */
function messages(speed: number): SimMessage[] {
  const factory = new MessageFactory('factory', 'run1', {
    wallMs: (at) => START + (at * 1000) / speed,
    speed,
  })
  const market = new MaterialMarket(plant.materials, Random.derive(5, 'market'))
  return [
    ...plant.parts.map((p) => factory.partInfo(p)),
    ...market.opening().map((q) => factory.material(q)),
    ...plant.machines.flatMap((c) =>
      new MachineModel(c, Random.derive(5, c.machineId), 5)
        .advance(7200)
        .map((e) => factory.fromMachine(c, e)),
    ),
    ...market.advance(7200).map((q) => factory.material(q)),
  ]
}

const decode = (m: SimMessage) =>
  decodeInput({ topic: m.topic, payload: Buffer.from(m.payload) }, 'factory', 64 * 1024)

describe('the simulator’s messages', () => {
  const sent = messages(10)

  it('are all valid input for the service, every kind of them', () => {
    const rejected = sent.map((m) => ({ m, r: decode(m) })).filter(({ r }) => !r.ok)
    expect(rejected).toEqual([])
    expect(new Set(sent.map((m) => m.kind))).toEqual(
      new Set(['status', 'production', 'telemetry', 'partInfo', 'material']),
    )
  })

  it('carry a message id unique to the run', () => {
    const ids = sent.map((m) => (JSON.parse(m.payload) as { messageId: string }).messageId)
    expect(new Set(ids).size).toBe(sent.length)
    expect(ids.every((id) => id.startsWith('run1-'))).toBe(true)
  })

  it('give each part used its info with materials, and each material its price', () => {
    const used = new Set(plant.machines.map((m) => m.partId))
    const infos = sent.filter((m) => m.kind === 'partInfo')
    expect(infos.map((m) => m.topic).sort()).toEqual(
      [...used].map((id) => `factory/parts/${id}/info`).sort(),
    )
    for (const m of infos) {
      const body = JSON.parse(m.payload) as { materials: string[] }
      expect(body.materials.length).toBeGreaterThan(0)
      for (const id of body.materials)
        expect(plant.materials.map((x) => x.materialId)).toContain(id)
    }
    const priced = new Set(sent.filter((m) => m.kind === 'material').map((m) => m.topic))
    expect(priced).toEqual(new Set(plant.materials.map((x) => `factory/materials/${x.materialId}`)))
  })

  it('give the ideal cycle in real seconds, so performance reads the same at any speed', () => {
    const info = sent.find((m) => m.kind === 'partInfo') as SimMessage
    const part = plant.parts.find((p) => info.topic === `factory/parts/${p.partId}/info`)
    expect((JSON.parse(info.payload) as { timeToProduce: number }).timeToProduce).toBeCloseTo(
      (part?.cycleSeconds ?? 0) / 10,
    )
  })

  it('stamp wall-clock time: simulated seconds divided by the speed after the start', () => {
    const times = sent
      .filter((m) => m.kind === 'status')
      .map((m) => Date.parse((JSON.parse(m.payload) as { at: string }).at))
    expect(Math.min(...times)).toBe(START)
    expect(Math.max(...times)).toBeLessThanOrEqual(START + 720_000)
  })
})
