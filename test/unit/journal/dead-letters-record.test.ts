import { createHash } from 'node:crypto'
import type { Pool, QueryConfig } from 'pg'
import { pino } from 'pino'
import { validate, version } from 'uuid'
import { PgDeadLetters } from '../../../src/journal/dead-letters'

const log = pino({ level: 'silent' })

const letter = (key: string) => ({
  source: 'plant/machines/m1/production',
  payload: Buffer.from('not JSON'),
  reason: 'not UTF-8 JSON',
  idempotencyKey: key,
  receivedAt: 1_700_000_000_000,
})

describe('recording dead letters', () => {
  it('sends a v7 event id per letter, and the type and entity kind of the catalog', async () => {
    const sent: unknown[][] = []
    const pool = {
      query: (_text: string, values: unknown[]) => {
        sent.push(values)
        return Promise.resolve({ rows: [] })
      },
    } as unknown as Pool
    const letters = new PgDeadLetters(pool, log, 10)
    await Promise.all([letters.record(letter('k1')), letters.record(letter('k2'))])
    expect(sent).toHaveLength(1)
    const [sources, , , keys, , eventIds, eventType, entityType] = sent[0] as [
      string[],
      Buffer[],
      string[],
      string[],
      number[],
      string[],
      string,
      string,
    ]
    expect(sources).toHaveLength(2)
    expect(keys).toEqual(['k1', 'k2'])
    expect(eventIds).toHaveLength(2)
    for (const id of eventIds) {
      expect(validate(id)).toBe(true)
      expect(version(id)).toBe(7)
    }
    expect(new Set(eventIds).size).toBe(2)
    expect(eventType).toBe('DeadLetter')
    expect(entityType).toBe('deadletter')
  })

  it('stops retrying an unreachable store when its signal aborts', async () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    const pool = { query: (_q: QueryConfig) => Promise.reject(outage) } as unknown as Pool
    const controller = new AbortController()
    const letters = new PgDeadLetters(pool, log, 10, undefined, { signal: controller.signal })
    const recorded = letters.record(letter('k1'))
    await new Promise((r) => setTimeout(r, 100))
    const reason = new Error('shutting down')
    controller.abort(reason)
    await expect(recorded).rejects.toBe(reason)
  })
})

describe('recording an oversized dead letter', () => {
  it('sends its first bytes only, with the whole input’s size and digest', async () => {
    const sent: unknown[][] = []
    const pool = {
      query: (_text: string, values: unknown[]) => {
        sent.push(values)
        return Promise.resolve({ rows: [] })
      },
    } as unknown as Pool
    const input = Buffer.alloc(700_000, 'z')
    await new PgDeadLetters(pool, log, 10, undefined, { payloadBytes: 1000 }).record({
      ...letter('big'),
      payload: input,
    })
    const values = sent[0] as unknown[]
    expect((values[1] as Buffer[])[0]).toEqual(input.subarray(0, 1000))
    expect(values[8]).toEqual([700_000])
    expect(values[9]).toEqual([createHash('sha256').update(input).digest('hex')])
  })
})
