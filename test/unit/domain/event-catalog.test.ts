import { readdirSync, readFileSync } from 'node:fs'
import {
  EVENT_CATALOG,
  EVENT_TYPES,
  entityOfType,
  eventCatalogJson,
} from '../../../src/domain/event-catalog'
import { projectPath } from '../../../src/project-root'
import { allTopics, stateTopics } from '../../../src/publish/avro/event-records'

describe('event catalog', () => {
  it('is the file the Python client reads, as `npm run catalog` writes it', () => {
    const written = readFileSync(
      projectPath('clients', 'python', 'src', 'millstream_client', 'event_catalog.json'),
      'utf8',
    )
    expect(written).toBe(eventCatalogJson())
  })

  it('names a schema file that exists, named after its type, for every event type', () => {
    const files = new Set(readdirSync(projectPath('schemas', 'avro')))
    for (const type of EVENT_TYPES) {
      expect(files.has(EVENT_CATALOG[type].schema)).toBe(true)
      expect(EVENT_CATALOG[type].schema).toBe(`${type}.avsc`)
    }
  })

  it('tells each type its entity, with no guess for the ones that are not a machine', () => {
    expect(entityOfType('PartProduced')).toBe('machine')
    expect(entityOfType('MachineMetricsRecorded')).toBe('machine')
    expect(entityOfType('PartInfoUpdated')).toBe('part')
    expect(entityOfType('MaterialPriceRecorded')).toBe('material')
    expect(entityOfType('DeadLetter')).toBe('deadletter')
  })

  it('gives the relay each topic once and the rebuild every topic but dead letters and classifications', () => {
    expect(allTopics('m')).toEqual([
      'm.production',
      'm.machine-state',
      'm.telemetry',
      'm.alarms',
      'm.parts',
      'm.materials',
      'm.deadletter',
      'm.downtime',
    ])
    expect(stateTopics('m')).toEqual(
      allTopics('m').filter((t) => t !== 'm.deadletter' && t !== 'm.downtime'),
    )
  })
})
