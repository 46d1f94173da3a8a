import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../../src/project-root'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'
import { bySize } from '../../harness/depth'

const KEY = 'contract-test-key'
const REPORT_DIR = projectPath('.run', 'contract')
const VENV_BIN = path.dirname(
  process.env.MILLSTREAM_PYTHON ?? projectPath('.venv', 'bin', 'python'),
)
/** Test cases per operation and phase: the whole run takes about 80 s on two cores. */
/** Examples per operation and phase: the full fuzzing in the deep run. */
const MAX_EXAMPLES = bySize({ quick: 25, deep: 100 })
const SEED = 20240301

/** What the fuzzer reported: the JUnit totals and the plain summary's own lines. */
type Verdict = { tests: number; failures: number; errors: number; summary: string; output: string }

/**
 * The OpenAPI document is the truth: Schemathesis, knowing nothing but the document, runs every
 * phase (examples, coverage, fuzzing, stateful through the document's links) and every check
 * against the real service, and finds nothing the service does that the document does not say.
 */
describe('the OpenAPI contract, fuzzed by Schemathesis', () => {
  let service: ServiceProcess
  const prefix = uniqueName('contract')

  beforeAll(async () => {
    service = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-contract-'),
      API_KEYS: KEY,
      LOG_LEVEL: 'warn',
    })
    await seed(service.url, prefix)
  })
  afterAll(() => service.kill('SIGTERM'))

  it('finds no failure and no error in any phase', async () => {
    const verdict = await schemathesis(service.url)
    if (verdict.failures !== 0 || verdict.errors !== 0) {
      throw new Error(
        `Schemathesis: ${verdict.failures} failures, ${verdict.errors} errors ` +
          `(report in .run/contract/):\n${verdict.output.slice(-20_000)}`,
      )
    }
    // Every operation (and the stateful scenarios) ran, and every phase did something.
    expect(verdict.tests).toBeGreaterThan(20)
    for (const phase of ['Examples', 'Coverage', 'Fuzzing', 'Stateful'])
      expect(verdict.summary).toMatch(new RegExp(`✅ ${phase}`))
    expect(Number(/Scenarios:\s+(\d+)/.exec(verdict.output)?.[1] ?? 0)).toBeGreaterThan(0)
    expect(Number(/(\d+) generated/.exec(verdict.summary)?.[1] ?? 0)).toBeGreaterThan(1000)
  }, 400_000)
})

/** A machine, a part and a material, so that lookups and links reach real rows. */
async function seed(url: string, prefix: string): Promise<void> {
  const messages = [
    { topic: `${prefix}/materials/steel`, payload: { name: 'Steel', price: 2.5, date: 0 } },
    {
      topic: `${prefix}/parts/7/info`,
      payload: { defaultPrice: 19.9, timeToProduce: 30, materials: ['steel'] },
    },
    {
      topic: `${prefix}/machines/press-1/status`,
      payload: { state: 'running', at: '2024-03-01T08:00:00Z' },
    },
    {
      topic: `${prefix}/machines/press-1/production`,
      payload: { timeOfProduction: '2024-03-01T08:01:00Z', order: 42, partId: 7 },
    },
  ]
  const res = await fetch(`${url}/api/v1/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify(messages),
  })
  expect(res.status).toBe(202)
  for (const path of ['/machines/press-1', '/parts/7', '/materials/steel']) {
    await waitFor(`${path} visible`, async () =>
      (await fetch(`${url}/api/v1${path}`)).ok ? true : undefined,
    )
  }
}

/** Runs the fuzzer against `url` and reads its JUnit report and its plain summary. */
async function schemathesis(url: string): Promise<Verdict> {
  mkdirSync(REPORT_DIR, { recursive: true })
  const junit = path.join(REPORT_DIR, 'junit.xml')
  const args = [
    'run',
    `${url}/api/v1/openapi.json`,
    '--url',
    url,
    '--header',
    `Authorization: Bearer ${KEY}`,
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--checks',
    'all',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--seed',
    String(SEED),
    '--generation-database',
    'none',
    '--request-timeout',
    '10',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
    '--no-color',
  ]
  // Its cache goes to the working directory: keep it under .run/ too.
  const child = spawn(path.join(VENV_BIN, 'schemathesis'), args, {
    cwd: REPORT_DIR,
    env: {
      ...process.env,
      PYTHONPATH: projectPath('test', 'support'),
      SCHEMATHESIS_HOOKS: 'schemathesis_hooks',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', () => resolve())
  })
  writeFileSync(path.join(REPORT_DIR, 'schemathesis.txt'), output)
  const totals = /<testsuites\b[^>]*>/.exec(readFileSync(junit, 'utf8'))?.[0] ?? ''
  const count = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(totals)?.[1])
  const summary = output.slice(output.lastIndexOf('SUMMARY'))
  return {
    tests: count('tests'),
    failures: count('failures'),
    errors: count('errors'),
    summary,
    output,
  }
}
