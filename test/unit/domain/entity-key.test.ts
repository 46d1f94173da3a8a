import { decodeInput, entityKeyOf } from '../../../src/domain/inputs'

const raw = (topic: string, payload: string | Buffer = '{}') => ({
  topic,
  payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
})
const keyOf = (topic: string, payload?: string | Buffer) =>
  entityKeyOf(raw(topic, payload), 'factory')

const PRODUCTION =
  '{"timeOfProduction":"2023-12-10T00:00:00.000Z","order":5,"var5":false,"machineId":1,"partId":4}'

describe('the entity a message addresses', () => {
  it.each(['production', 'status', 'telemetry', 'commands'])(
    'is the machine of its topic on the machine %s topic, whatever the body',
    (leaf) => {
      expect(keyOf(`factory/machines/m-7/${leaf}`)).toBe('m-7')
      expect(keyOf(`factory/machines/press.2:a_b/${leaf}`, 'not json')).toBe('press.2:a_b')
    },
  )

  it('is the part of its topic on the part info topic', () => {
    expect(keyOf('factory/parts/4/info')).toBe('4')
    // As the part actor names it: a number.
    expect(keyOf('factory/parts/007/info')).toBe('7')
  })

  it('is the material of its topic on a material topic', () => {
    expect(keyOf('factory/materials/steel')).toBe('steel')
  })

  it('is the machineId of the body on the legacy supply-chain topic, numbers as text', () => {
    expect(keyOf('supply-chain', PRODUCTION)).toBe('1')
    expect(keyOf('supply-chain', PRODUCTION.replace('"machineId":1', '"machineId":"m-9"'))).toBe(
      'm-9',
    )
  })

  it('follows the topic prefix it is given', () => {
    expect(entityKeyOf(raw('plant/machines/m-1/status'), 'plant')).toBe('m-1')
    expect(entityKeyOf(raw('factory/machines/m-1/status'), 'plant')).toBeUndefined()
    expect(entityKeyOf(raw('plant/a/machines/m-1/status'), 'plant/a')).toBe('m-1')
  })

  it.each([
    ['a topic outside the prefix', 'elsewhere/machines/1/status'],
    ['an unknown machine leaf', 'factory/machines/1/heat'],
    ['a machine topic without a leaf', 'factory/machines/1'],
    ['a topic with an extra level', 'factory/machines/1/status/extra'],
    ['an id with a space', 'factory/machines/a b/status'],
    ['a part id that is not a number', 'factory/parts/abc/info'],
    ['a part topic without info', 'factory/parts/4'],
    ['a material topic with a leaf', 'factory/materials/steel/price'],
    ['an unknown kind of entity', 'factory/ovens/1'],
  ])('is unknown for %s', (_name, topic) => {
    expect(keyOf(topic)).toBeUndefined()
  })

  it.each([
    ['without machineId', '{"timeOfProduction":0,"order":1,"partId":2}'],
    ['that is not JSON', 'not json'],
    ['that is not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['that is a JSON array', '[1]'],
    [
      'with a machineId that is no entity id',
      '{"timeOfProduction":0,"order":1,"partId":2,"machineId":"a b"}',
    ],
  ])('is unknown for a legacy body %s', (_name, payload) => {
    expect(keyOf('supply-chain', payload)).toBeUndefined()
  })

  it.each([
    ['factory/machines/1/production', PRODUCTION],
    ['factory/machines/m-2/production', '{"timeOfProduction":1702166400000,"order":1,"partId":2}'],
    ['factory/machines/m-2/status', '{"state":"running","at":1702166400000}'],
    ['factory/machines/m-2/telemetry', '{"at":1702166400000,"metrics":{"spindleTemp":71.5}}'],
    ['factory/machines/7/commands', '{"type":"reset-counters","requestedBy":"ops"}'],
    ['factory/parts/4/info', '{"defaultPrice":2.5,"timeToProduce":30,"materials":["steel"]}'],
    ['factory/parts/007/info', '{"defaultPrice":1,"timeToProduce":12}'],
    ['factory/materials/steel', '{"name":"Steel","price":2,"date":1}'],
    ['supply-chain', PRODUCTION],
    ['supply-chain', PRODUCTION.replace('"machineId":1', '"machineId":"m-9"')],
  ])('agrees with the decoded input of a valid message on %s', (topic, payload) => {
    const decoded = decodeInput(raw(topic, payload), 'factory', 64 * 1024)
    if (!decoded.ok) throw new Error(`expected ${topic} ${payload} to be valid: ${decoded.reason}`)
    expect(keyOf(topic, payload)).toBe(decoded.input.entityKey)
  })
})
