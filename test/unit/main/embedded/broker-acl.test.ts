import {
  filterCovered,
  mayPublish,
  maySubscribe,
  serviceClientId,
  topicMatches,
  type BrokerIdentity,
} from '../../../../src/main/embedded/broker-acl'

const device: BrokerIdentity = { kind: 'device', username: 'press-7', machineId: '7' }
const gateway: BrokerIdentity = {
  kind: 'gateway',
  username: 'gw',
  patterns: ['factory/#', 'supply-chain', 'spBv1.0/line/#'],
}

describe('the embedded broker’s topic rules', () => {
  it('match topic filters with + and #', () => {
    expect(topicMatches('factory/#', 'factory/machines/7/status')).toBe(true)
    expect(topicMatches('factory/+/7/status', 'factory/machines/7/status')).toBe(true)
    expect(topicMatches('factory/+', 'factory/machines/7')).toBe(false)
    expect(topicMatches('supply-chain', 'supply-chain/x')).toBe(false)
  })

  it('tell whether a filter stays within a pattern', () => {
    expect(filterCovered('factory/#', 'factory/machines/+/status')).toBe(true)
    expect(filterCovered('factory/machines/7/#', 'factory/machines/+/status')).toBe(false)
    expect(filterCovered('factory/machines/+', 'factory/#')).toBe(false)
    expect(filterCovered('factory/#', '#')).toBe(false)
  })

  it('let a device publish only under its own machine', () => {
    expect(mayPublish(device, 'factory/machines/7/production', 'factory')).toBe(true)
    expect(mayPublish(device, 'factory/machines/8/production', 'factory')).toBe(false)
    expect(mayPublish(device, 'factory/machines/70/production', 'factory')).toBe(false)
    expect(mayPublish(device, 'factory/parts/1/info', 'factory')).toBe(false)
    expect(mayPublish(device, 'spBv1.0/line/NCMD/edge', 'factory')).toBe(false)
  })

  it('let a gateway use its patterns, and no one but the service subscribe to #', () => {
    expect(mayPublish(gateway, 'factory/parts/1/info', 'factory')).toBe(true)
    expect(mayPublish(gateway, 'spBv1.0/other/NCMD/edge', 'factory')).toBe(false)
    expect(maySubscribe(gateway, 'factory/machines/+/commands', 'factory')).toBe(true)
    expect(maySubscribe(gateway, '#', 'factory')).toBe(false)
    expect(maySubscribe(device, 'factory/machines/7/commands', 'factory')).toBe(true)
    expect(maySubscribe(device, 'factory/machines/+/commands', 'factory')).toBe(false)
    expect(maySubscribe({ kind: 'service' }, '#', 'factory')).toBe(true)
  })

  it('reserve the service’s client id and its suffixed ones', () => {
    expect(serviceClientId('millstream-ingest', 'millstream-ingest')).toBe(true)
    expect(serviceClientId('millstream-ingest-sparkplug', 'millstream-ingest')).toBe(true)
    expect(serviceClientId('millstream-ingestx', 'millstream-ingest')).toBe(false)
  })
})
