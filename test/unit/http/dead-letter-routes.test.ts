import { createHash } from 'node:crypto'
import { createHttpApp } from '../../../src/http/app'
import type { DeadLetterReads, DeadLetterSummary } from '../../../src/read/ports'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

const kept = Buffer.from('{"partId": 1, "var2": "xxxx')
const letter = (id: number): DeadLetterSummary => ({
  id,
  source: 'factory/machines/m1/production',
  reason: 'payload too large',
  receivedAt: new Date('2023-12-10T00:00:00.000Z'),
  recordedAt: new Date('2023-12-10T00:00:00.005Z'),
  payloadSize: 700_000,
  payloadSha256: createHash('sha256').update('the whole input').digest('hex'),
  keptBytes: kept.length,
})

describe('the dead-letter routes', () => {
  let server: Awaited<ReturnType<typeof serve>>
  const asked: { limit: number; after: number | undefined }[] = []
  const deadLetters: DeadLetterReads = {
    list: (limit, after) => {
      asked.push({ limit, after })
      return Promise.resolve(Array.from({ length: limit }, (_, i) => letter((after ?? 0) + i + 1)))
    },
    payload: (id) => Promise.resolve(id === 3 ? kept : undefined),
    many: () => Promise.resolve([]),
  }
  beforeAll(async () => {
    server = await serve(createHttpApp(httpDeps({ deadLetters })))
  })
  afterAll(() => server.close())

  it('lists reasons and sizes, not payloads, with the cursor of the next page', async () => {
    const res = await fetch(`${server.url}/api/v1/dead-letters?limit=2&after=10`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { items: Record<string, unknown>[]; next: number | null }
    expect(body.next).toBe(12)
    expect(body.items[0]).toEqual({
      id: 11,
      source: 'factory/machines/m1/production',
      reason: 'payload too large',
      payloadSize: 700_000,
      payloadSha256: letter(11).payloadSha256,
      payloadTruncated: true,
      receivedAt: '2023-12-10T00:00:00.000Z',
      recordedAt: '2023-12-10T00:00:00.005Z',
    })
    expect(JSON.stringify(body)).not.toContain('partId')
  })

  it('pages 100 letters by default and refuses a page over 500', async () => {
    asked.length = 0
    expect((await fetch(`${server.url}/api/v1/dead-letters`)).status).toBe(200)
    expect(asked).toEqual([{ limit: 100, after: 0 }])
    const tooMany = await fetch(`${server.url}/api/v1/dead-letters?limit=501`)
    expect(tooMany.status).toBe(400)
    expect(tooMany.headers.get('content-type')).toMatch(/problem\+json/)
  })

  it('serves one letter’s kept bytes on their own URL, as raw bytes', async () => {
    const res = await fetch(`${server.url}/api/v1/dead-letters/3/payload`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/octet-stream')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await res.arrayBuffer())).toEqual(kept)
  })

  it('answers an unknown letter’s payload with a 404 problem', async () => {
    const res = await fetch(`${server.url}/api/v1/dead-letters/4/payload`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toMatch(/problem\+json/)
  })
})
