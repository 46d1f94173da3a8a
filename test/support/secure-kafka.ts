import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  ResourcePatternTypes,
  type Kafka,
} from 'kafkajs'
import { PROJECT_ROOT } from '../../src/project-root'
import { kafkaClient } from '../../src/publish/kafka-client'
import { keepLogs } from '../../harness/run-logs'
import { registerSecret } from '../../harness/run-secrets'
import { makeTestPki, type TestPki } from './certificates'

const SCRIPT = path.join(PROJECT_ROOT, 'scripts/services/kafka-secure.sh')

/** A principal of the secured broker: its name, password, and a file holding the password. */
export type Principal = { name: string; password: string; passwordFile: string }

/**
 * A Kafka of a test's own with only a SASL_SSL listener, ACLs enforced and nobody allowed what
 * no ACL grants, started by scripts/services/kafka-secure.sh with certificates made by openssl
 * and SCRAM users with random passwords: `admin` (super user), `millstream`, `reader`.
 */
export class SecureKafka {
  private constructor(
    readonly dir: string,
    readonly brokers: string,
    readonly pki: TestPki,
    readonly users: Record<'admin' | 'millstream' | 'reader', Principal>,
  ) {}

  static async start(): Promise<SecureKafka> {
    const dir = mkdtempSync(path.join(PROJECT_ROOT, '.run', 'kafka-secure-'))
    const pki = makeTestPki(path.join(dir, 'tls'))
    const user = (name: string): Principal => {
      const password = `pw-${name}-${randomBytes(9).toString('base64url')}`
      const passwordFile = path.join(dir, `${name}.password`)
      writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 })
      registerSecret(`Kafka SASL ${name} password`, password)
      return { name, password, passwordFile }
    }
    const users = { admin: user('admin'), millstream: user('millstream'), reader: user('reader') }
    writeFileSync(
      path.join(dir, 'scram-users'),
      Object.values(users)
        .map((u) => `${u.name} ${u.password}\n`)
        .join(''),
      { mode: 0o600 },
    )
    await promisify(execFile)('bash', [SCRIPT, 'up', dir], { timeout: 150_000 })
    const env = readFileSync(path.join(dir, 'kafka-secure.env'), 'utf8')
    const brokers = /KAFKA_SECURE_BROKERS=(\S+)/.exec(env)?.[1]
    if (!brokers) throw new Error(`no brokers in ${dir}/kafka-secure.env`)
    return new SecureKafka(dir, brokers, pki, users)
  }

  /** A kafkajs client logged in as `principal` over SASL_SSL, trusting the test's CA. */
  client(principal: Principal, password = principal.password): Kafka {
    return kafkaClient([this.brokers], `test-${principal.name}`, {
      tls: { ca: readFileSync(this.pki.caCert, 'utf8') },
      sasl: { mechanism: 'scram-sha-512', username: principal.name, password },
    })
  }

  /**
   * The ACLs of deploy/: `millstream` creates, writes and reads the topics under `prefix` and
   * joins the groups under it and the replay's; `reader` only reads them, in its own groups.
   */
  async grant(prefix: string): Promise<void> {
    const admin = this.client(this.users.admin).admin()
    await admin.connect()
    const allow = (
      principal: string,
      resourceType: AclResourceTypes,
      resourceName: string,
      operations: AclOperationTypes[],
    ) =>
      operations.map((operation) => ({
        principal: `User:${principal}`,
        host: '*',
        resourceType,
        resourceName,
        resourcePatternType: ResourcePatternTypes.PREFIXED,
        operation,
        permissionType: AclPermissionTypes.ALLOW,
      }))
    try {
      await admin.createAcls({
        acl: [
          ...allow('millstream', AclResourceTypes.TOPIC, prefix, [
            AclOperationTypes.CREATE,
            AclOperationTypes.DESCRIBE,
            AclOperationTypes.WRITE,
            AclOperationTypes.READ,
          ]),
          ...allow('millstream', AclResourceTypes.GROUP, prefix, [AclOperationTypes.READ]),
          ...allow('millstream', AclResourceTypes.GROUP, 'millstream-replay-', [
            AclOperationTypes.READ,
          ]),
          ...allow('reader', AclResourceTypes.TOPIC, prefix, [AclOperationTypes.READ]),
          ...allow('reader', AclResourceTypes.GROUP, 'millstream-client-', [
            AclOperationTypes.READ,
          ]),
        ],
      })
    } finally {
      await admin.disconnect()
    }
  }

  async stop(): Promise<void> {
    await promisify(execFile)('bash', [SCRIPT, 'down', this.dir], { timeout: 60_000 })
    keepLogs(
      'kafka-secure',
      ['kafka.log', 'kafka.out', 'kafka-format.log'].map((f) => path.join(this.dir, f)),
    )
    rmSync(this.dir, { recursive: true, force: true })
  }
}
