import { start, stop, type ActorSystemRef } from 'nact'
import { Dispatcher } from '../../../src/actors/dispatcher'
import { InMemoryPartCatalog } from '../../../src/actors/part-catalog'
import { BoundReached } from '../../../src/domain/bounds'
import type { ValidInput } from '../../../src/domain/inputs'
import { DEFAULT_RULES } from '../../../src/domain/rules'
import { SlowJournal } from '../../doubles/in-memory-journal'
import { productionInput } from '../../support/production'

const telemetry = (n: number, names: string[]): ValidInput => ({
  entity: 'machine',
  entityKey: 'm1',
  idempotencyKey: `t-${n}`,
  input: { kind: 'telemetry', at: n, metrics: Object.fromEntries(names.map((k) => [k, n])) },
})

describe('a machine actor at the bound on metric names', () => {
  let system: ActorSystemRef
  beforeEach(() => {
    system = start()
  })
  afterEach(() => stop(system))

  it('refuses the reading past the bound alone, keeping its batch in one commit, as no failure', async () => {
    const journal = new SlowJournal(5)
    const failures: unknown[] = []
    const actors = new Dispatcher(system, {
      journal,
      catalog: new InMemoryPartCatalog(),
      rules: { ...DEFAULT_RULES, maxMetricsPerMachine: 2 },
      snapshotEvery: 10,
      idleMs: 60_000,
      onCrash: (_entity, err) => failures.push(err),
    })
    try {
      const outcomes = await Promise.allSettled([
        actors.dispatch(productionInput('m1', 1)),
        actors.dispatch(telemetry(2, ['a', 'b'])),
        actors.dispatch(telemetry(3, ['c'])),
        actors.dispatch(telemetry(4, ['a'])),
        actors.dispatch(productionInput('m1', 5)),
      ])
      expect(outcomes.map((o) => o.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ])
      const refused = outcomes[2]
      expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(BoundReached)
      expect(failures).toEqual([])
      // The first input alone, then the other four (one of them refused) in one commit.
      expect(journal.commits).toBe(2)
      const metrics = journal
        .machineEvents('m1')
        .flatMap((e) => (e.type === 'MachineMetricsRecorded' ? Object.keys(e.metrics) : []))
      expect(metrics).toEqual(['a', 'b', 'a'])
    } finally {
      actors.stop()
    }
  })
})
