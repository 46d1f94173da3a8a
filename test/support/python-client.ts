import path from 'node:path'
import { services } from '../../harness/services'
import { PROJECT_ROOT } from '../../src/project-root'
import { runLogged } from '../../harness/logged-run'

const ROOT = PROJECT_ROOT
const PYTHON = process.env.MILLSTREAM_PYTHON ?? path.join(ROOT, '.venv/bin/python')

/** What `python -m millstream_client count` prints (clients/python/README.md). */
export type CountSummary = {
  count: number
  by_type: Record<string, number>
  partitions: Record<string, number>
  keys_in_order_ok: boolean
  errors: unknown[]
  duplicates: number
}

/** Runs the Python client's `count` over a topic from the beginning, as a consumer would. */
export async function pythonCount(topic: string): Promise<CountSummary> {
  const { stdout } = await runLogged(
    PYTHON,
    [
      '-m',
      'millstream_client',
      'count',
      '--brokers',
      services().kafkaBrokers,
      '--topic',
      topic,
      '--from-beginning',
      '--idle-timeout',
      '10',
    ],
    { cwd: ROOT, timeout: 120_000, label: 'python-count' },
  )
  return JSON.parse(stdout.trim().split('\n').pop() as string) as CountSummary
}
