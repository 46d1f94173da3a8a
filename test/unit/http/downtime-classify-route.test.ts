import { createHttpApp } from '../../../src/http/app'
import { checkPlantModel } from '../../../src/plant/load-model'
import type { Classification } from '../../../src/read/ports'
import { apiKeysOf, httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

describe('POST /api/v1/downtime/{id}/classify', () => {
  const loaded = checkPlantModel({
    reasons: [{ code: 'SETUP', name: 'Changeover', category: 'setup-adjustment' }],
    sites: [
      { id: 's', name: 'S', areas: [{ id: 'a', name: 'A', lines: [{ id: 'l', name: 'L' }] }] },
    ],
  })
  if (!loaded.ok) throw new Error(loaded.problems.join())
  const committed: Classification[] = []
  const deps = httpDeps({
    apiKeys: apiKeysOf('anna:command:ck', 'viewer:read:rk'),
    classifier: {
      classify: (c) => {
        committed.push(c)
        return Promise.resolve(c.recordId === '12-3')
      },
    },
    plantModel: () => loaded.model,
  })

  const post = async (id: string, body: object, key = 'ck') => {
    const server = await serve(createHttpApp(deps))
    try {
      const res = await fetch(`${server.url}/api/v1/downtime/${id}/classify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    } finally {
      await server.close()
    }
  }

  it('commits a classification of a known record with a catalogue code, and answers 202', async () => {
    const { status, body } = await post('12-3', { reasonCode: 'SETUP' })
    expect([status, body]).toEqual([202, { id: '12-3', reasonCode: 'SETUP' }])
    expect(committed.at(-1)).toMatchObject({
      recordId: '12-3',
      reasonCode: 'SETUP',
      classifiedBy: 'anna',
    })
  })

  it('answers 404 for an unknown record, 409 for a code the catalogue in force lacks, 400 for a bad id, 403 without the command scope', async () => {
    const before = committed.length
    const unknown = await post('99-1', { reasonCode: 'SETUP' })
    const badCode = await post('12-3', { reasonCode: 'NOT-A-CODE' })
    const badId = await post('nonsense', { reasonCode: 'SETUP' })
    const readOnly = await post('12-3', { reasonCode: 'SETUP' }, 'rk')
    expect([unknown.status, badCode.status, badId.status, readOnly.status]).toEqual([
      404, 409, 400, 403,
    ])
    // The bad code is refused before anything is committed.
    expect(committed.length).toBe(before + 1)
  })
})
