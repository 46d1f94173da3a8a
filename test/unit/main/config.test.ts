import { readFileSync } from 'node:fs'
import { ConfigError, loadConfig, SETTINGS } from '../../../src/main/config'
import { projectPath } from '../../../src/project-root'

describe('configuration', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = loadConfig({})
    expect(config.mqtt.url).toBeUndefined()
    expect(config.database.url).toBeUndefined()
    expect(config.kafka.brokers).toBeUndefined()
    expect(config.http.port).toBe(8080)
    expect(config.mqtt.topicPrefix).toBe('factory')
    expect(config.kafka).toMatchObject({ topicPrefix: 'millstream', partitions: 6 })
    expect(Object.isFrozen(config.kafka)).toBe(true)
  })

  it('reads the services and lists of the environment', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'a:9092, b:9092',
      MQTT_URL: 'mqtt://h:1883',
      KAFKA_PARTITIONS: '12',
    })
    expect(config.kafka.brokers).toEqual(['a:9092', 'b:9092'])
    expect(config.kafka.partitions).toBe(12)
    expect(config.mqtt.url).toBe('mqtt://h:1883')
  })

  it('lists every problem at once', () => {
    try {
      loadConfig({ HTTP_PORT: 'eighty', KAFKA_PARTITIONS: '0', MQTT_TOPIC_PREFIX: 'a/#' })
      throw new Error('expected a ConfigError')
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
        'HTTP_PORT',
        'KAFKA_PARTITIONS',
        'MQTT_TOPIC_PREFIX',
      ])
    }
  })
})

describe('the README', () => {
  it('lists every setting the service reads, and no other', () => {
    const readme = readFileSync(projectPath('README.md'), 'utf8')
    const section = /## Configuration \(environment\)\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? ''
    const listed = new Set(
      section
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)])
        .map((m) => m[1]),
    )
    expect([...listed].sort()).toEqual([...SETTINGS].sort())
  })
})
