import { BOUNDS } from '../../src/domain/bounds'
import { createMetrics } from '../../src/metrics'

describe('the bound counter', () => {
  it('shows every bound at 0 before any is reached', async () => {
    const text = await createMetrics().registry.metrics()
    for (const bound of BOUNDS)
      expect(text).toContain(`millstream_bound_reached_total{bound="${bound}"} 0`)
  })
})
