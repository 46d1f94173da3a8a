import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Pool, QueryConfig } from 'pg'
import { commitWrites } from '../../../src/journal/commit-writes'
import { sampleWrites } from './sample-writes'

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')

/** A pool that records the statement it is sent and answers that no write was fresh. */
function recordingPool() {
  const sent: QueryConfig[] = []
  const pool = {
    query: (config: QueryConfig) => {
      sent.push(config)
      return Promise.resolve({ rows: [] })
    },
  }
  return { pool: pool as unknown as Pool, sent }
}

describe('the group commit statement, as sent', () => {
  // Both fixtures were captured from the statement as it was sent with positional parameters.
  it('has the same text, prepared under the same name', async () => {
    const { pool, sent } = recordingPool()
    await commitWrites(pool, sampleWrites())
    expect(sent).toHaveLength(1)
    expect(sent[0]?.name).toBe('millstream-commit-group')
    expect(sent[0]?.text).toBe(fixture('commit-group.sql'))
  })

  it('sends the same values in the same order', async () => {
    const { pool, sent } = recordingPool()
    await commitWrites(pool, sampleWrites())
    expect(sent[0]?.values).toEqual(JSON.parse(fixture('commit-group-values.json')))
  })
})
