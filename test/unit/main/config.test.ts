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

describe('API keys', () => {
  it('read named keys with scopes beside plain ones', () => {
    const config = loadConfig({ API_KEYS: 'plain-key, ops:read+command:ops-key' })
    expect(config.http.apiKeys.map((k) => [k.name, k.scopes.join('+')])).toEqual([
      ['key-1', 'read+command+ingest+publish+admin'],
      ['ops', 'read+command'],
    ])
  })

  it('stop the start on every bad entry at once, without quoting a key', () => {
    let problems: string[] = []
    try {
      loadConfig({ API_KEYS: 'ops:write:topsecret,ops2::alsosecret' })
    } catch (err) {
      if (err instanceof ConfigError) problems = err.problems
    }
    expect(problems).toEqual([
      'API_KEYS entry 1: unknown scope write (known: read, command, ingest, publish, admin)',
      'API_KEYS entry 2: names no scope (one or more of read, command, ingest, publish, admin)',
    ])
  })
})

describe('the roles of an instance', () => {
  const CLUSTER = { KAFKA_BROKERS: 'k:9092', DATABASE_URL: 'postgres://db/millstream' }
  /** The problems a ConfigError lists for `env`, or a failure if it loads. */
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      loadConfig(env)
    } catch (err) {
      if (err instanceof ConfigError) return err.problems
      throw err
    }
    throw new Error('expected a ConfigError')
  }

  it('runs all three roles in one process by default: single-node mode', () => {
    const config = loadConfig({})
    expect(config.mode).toBe('single')
    expect([...config.roles].sort()).toEqual(['http', 'ingest', 'process'])
  })

  it('is single-node mode when all three roles are named, in any order', () => {
    expect(loadConfig({ ROLES: 'http, process,ingest' }).mode).toBe('single')
  })

  it('runs the roles named, as part of a cluster', () => {
    const config = loadConfig({ ...CLUSTER, ROLES: 'process' })
    expect(config.mode).toBe('cluster')
    expect([...config.roles]).toEqual(['process'])
    expect(config.roles.has('ingest')).toBe(false)
    const two = loadConfig({ ...CLUSTER, MQTT_URL: 'mqtt://m:1883', ROLES: 'ingest,http' })
    expect(two.mode).toBe('cluster')
    expect([...two.roles].sort()).toEqual(['http', 'ingest'])
  })

  it('needs the shared Kafka and PostgreSQL in a cluster, naming each one missing', () => {
    const problems = problemsOf({ ROLES: 'process' })
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS'])
    expect(problems.every((p) => p.includes('ROLES=process'))).toBe(true)
    expect(problemsOf({ ROLES: 'process', KAFKA_BROKERS: 'k:9092' })).toEqual([
      expect.stringMatching(/^DATABASE_URL: /),
    ])
    expect(problemsOf({ ROLES: 'process', DATABASE_URL: 'postgres://db/millstream' })).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS: /),
    ])
  })

  it.each(['ingest', 'http', 'ingest,process', 'process,http'])(
    'needs the shared MQTT broker for ROLES=%s',
    (roles) => {
      expect(problemsOf({ ...CLUSTER, ROLES: roles })).toEqual([
        expect.stringMatching(/^MQTT_URL: /),
      ])
      expect(
        problemsOf({ ROLES: roles })
          .map((p) => p.split(':')[0])
          .sort(),
      ).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'MQTT_URL'])
    },
  )

  it('runs the process role without an MQTT broker', () => {
    expect(loadConfig({ ...CLUSTER, ROLES: 'process' }).mqtt.url).toBeUndefined()
  })

  it('refuses a role it does not know, and an empty list', () => {
    expect(problemsOf({ ...CLUSTER, ROLES: 'process,relay' })).toEqual([
      expect.stringMatching(/^ROLES/),
    ])
    expect(problemsOf({ ROLES: ' , ' })).toEqual([expect.stringMatching(/^ROLES: .*role/)])
  })

  it('splits the ingest topic into 24 partitions unless told otherwise', () => {
    expect(loadConfig({}).kafka.ingestPartitions).toBe(24)
    expect(loadConfig({ INGEST_PARTITIONS: '48' }).kafka.ingestPartitions).toBe(48)
    expect(problemsOf({ INGEST_PARTITIONS: '0' })).toEqual([
      expect.stringMatching(/^INGEST_PARTITIONS: /),
    ])
  })

  it('gives a silent process instance 10 s by default, and no less than 6 s', () => {
    expect(loadConfig({}).kafka.sessionTimeoutMs).toBe(10_000)
    expect(loadConfig({ PROCESS_SESSION_TIMEOUT_MS: '6000' }).kafka.sessionTimeoutMs).toBe(6000)
    expect(problemsOf({ PROCESS_SESSION_TIMEOUT_MS: '5999' })).toEqual([
      expect.stringMatching(/^PROCESS_SESSION_TIMEOUT_MS: /),
    ])
  })
})

describe('docs/configuration.md', () => {
  it('lists every setting the service reads, and no other', () => {
    const page = readFileSync(projectPath('docs/configuration.md'), 'utf8')
    const listed = new Set(
      page
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]+)`/g)])
        .map((m) => m[1]),
    )
    expect([...listed].sort()).toEqual([...SETTINGS].sort())
  })
})
