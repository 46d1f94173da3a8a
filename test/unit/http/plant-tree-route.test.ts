import { createHttpApp } from '../../../src/http/app'
import { checkPlantModel } from '../../../src/plant/load-model'
import type { PlantReads } from '../../../src/read/ports'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

describe('GET /api/v1/plant', () => {
  it('serves the hierarchy with the machines placed in each line', async () => {
    const loaded = checkPlantModel({
      sites: [
        {
          id: 'plant-1',
          name: 'Plant 1',
          areas: [
            {
              id: 'pressing',
              name: 'Pressing',
              lines: [{ id: 'press-line', name: 'Press line', machines: [{ pattern: 'press-*' }] }],
            },
          ],
        },
      ],
    })
    if (!loaded.ok) throw new Error(loaded.problems.join())
    const base = httpDeps().plant
    const plant: PlantReads = {
      summary: () => base.summary(),
      tree: () =>
        Promise.resolve(
          loaded.model.tree([
            { machineId: 'press-2' },
            { machineId: 'press-1' },
            { machineId: 'lathe' },
          ]),
        ),
    }
    const server = await serve(createHttpApp(httpDeps({ plant })))
    try {
      const res = await fetch(`${server.url}/api/v1/plant`)
      expect(res.status).toBe(200)
      const body = (await res.json()) as Record<string, unknown>
      expect(body.sites).toEqual([
        {
          id: 'plant-1',
          name: 'Plant 1',
          areas: [
            {
              id: 'pressing',
              name: 'Pressing',
              lines: [{ id: 'press-line', name: 'Press line', machines: ['press-1', 'press-2'] }],
            },
          ],
        },
      ])
      expect(body.unplaced).toEqual(['lathe'])
    } finally {
      await server.close()
    }
  })
})
