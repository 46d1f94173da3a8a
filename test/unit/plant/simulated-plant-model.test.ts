import { loadPlantModel } from '../../../src/plant/load-model'
import { projectPath } from '../../../src/project-root'
import { SIM_REASONS } from '../../../src/simulate/reasons'

describe('the simulated plant’s model file (examples/plant.json)', () => {
  it('loads without a problem, places every simulated machine and knows every code it sends', async () => {
    const loaded = await loadPlantModel(projectPath('examples', 'plant.json'))
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'))
    const model = loaded.model

    const lines = new Set<string>()
    for (let id = 1; id <= 20; id++) {
      const placement = model.placementOf({ machineId: String(id) })
      expect({ id, placed: placement !== undefined }).toEqual({ id, placed: true })
      if (placement) lines.add(placement.lineId)
    }
    expect(lines.size).toBe(4)
    for (const [code, spec] of Object.entries(SIM_REASONS)) {
      expect({ code, ...model.reason(code) }).toEqual({ code, ...spec })
    }
  })
})
