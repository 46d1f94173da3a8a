import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { registerSecret, registeredSecrets } from '../../../harness/run-secrets'
import { scanRunLogs, type ScanPlan } from '../../../harness/scan-run-logs'
import { secretForms } from '../../../harness/secret-scan'
import { projectPath } from '../../../src/project-root'

const SECRET = 'pw/Z+k:9 é@x?q=1'

describe('the scan of a run for secrets in its logs', () => {
  let dir: string
  let plan: ScanPlan
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'secret-scan-'))
    mkdirSync(path.join(dir, 'logs', 'kafka-secure-1.d'), { recursive: true })
    mkdirSync(path.join(dir, 'services', 'kafka', 'data'), { recursive: true })
    writeFileSync(
      path.join(dir, 'logs', 'service-1.log'),
      '{"msg":"ready","url":"mqtt://u:***@h"}\n',
    )
    writeFileSync(path.join(dir, 'services', 'postgres.log'), 'LOG:  database system is ready\n')
    plan = {
      logDirs: [path.join(dir, 'logs')],
      shallowDirs: [path.join(dir, 'services')],
      secretsFile: path.join(dir, 'secrets.jsonl'),
      requireSecrets: true,
    }
    registerSecret('MQTT device press-1', SECRET, plan.secretsFile)
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const plant = (file: string, text: string) => writeFileSync(path.join(dir, file), text)

  it('passes on clean logs', () => {
    expect(scanRunLogs(plan)).toEqual({
      failed: false,
      lines: ['secret scan: 1 secrets, 2 log files, 0 findings'],
    })
  })

  it.each([
    ['as it is', (s: string) => `connecting with password ${s} now`],
    ['URL-encoded', (s: string) => `url mqtt://press-1:${encodeURIComponent(s)}@broker`],
    ['in base64', (s: string) => `Authorization: Basic ${Buffer.from(s).toString('base64')}`],
    [
      'in base64 after one byte',
      (s: string) => `sasl ${Buffer.from(`\0${s}`).toString('base64')} end`,
    ],
    [
      'in base64 after two bytes',
      (s: string) => `sasl ${Buffer.from(`\0u\0${s}!`).toString('base64')} end`,
    ],
    ['in base64url', (s: string) => `token=${Buffer.from(`ab${s}`).toString('base64url')}`],
  ])('fails naming the file and the label of a secret written %s', (_how, write) => {
    plant('logs/kafka-secure-1.d/server.log', `INFO started\n${write(SECRET)}\nINFO done\n`)
    const { failed, lines } = scanRunLogs(plan)
    expect(failed).toBe(true)
    expect(lines[0]).toMatch(/^secret "MQTT device press-1" \(.+\) found in .*server\.log$/)
    expect(lines.join('\n')).not.toContain(SECRET)
    expect(lines.join('\n')).not.toContain(encodeURIComponent(SECRET))
  })

  it("finds a secret in the shared services' own logs but not in their data folders", () => {
    plant('services/kafka/data/00000.log', SECRET)
    expect(scanRunLogs(plan).failed).toBe(false)
    plant('services/kafka.log', `config sasl.jaas.config password="${SECRET}"`)
    expect(scanRunLogs(plan).lines[0]).toContain('services/kafka.log')
  })

  it('fails a run that registered no secret when one is required', () => {
    rmSync(plan.secretsFile)
    expect(scanRunLogs(plan).failed).toBe(true)
    expect(scanRunLogs({ ...plan, requireSecrets: false }).failed).toBe(false)
  })

  it('keeps the list of secrets readable by its owner only, and skips values too short to tell', () => {
    registerSecret('short', 'abc', plan.secretsFile)
    expect(registeredSecrets(plan.secretsFile).map((s) => s.label)).toEqual(['MQTT device press-1'])
    expect(statSync(plan.secretsFile).mode & 0o777).toBe(0o600)
  })

  it('looks for each base64 alignment by the characters the secret alone decides', () => {
    const forms = secretForms('abcdefgh').filter((f) => f.form === 'base64')
    for (const prefix of ['', 'x', 'xy'])
      for (const suffix of ['', 'z', 'zz'])
        expect(
          forms.some((f) =>
            Buffer.from(`${prefix}abcdefgh${suffix}`).toString('base64').includes(f.text),
          ),
        ).toBe(true)
  })
})

describe('the test run', () => {
  it('ends by scanning its logs for the secrets it registered, after every suite', () => {
    const script = readFileSync(projectPath('scripts', 'test.sh'), 'utf8')
    const scan = script.indexOf('node .build/harness/scan-run-logs.js --require-secrets')
    expect(scan).toBeGreaterThan(script.indexOf('pytest'))
    expect(scan).toBeGreaterThan(script.indexOf('--selectProjects integration'))
    expect(script.indexOf('rm -rf .run/logs .run/secrets.jsonl')).toBeLessThan(scan)
  })
})
