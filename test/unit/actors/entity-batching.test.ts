import { start, stop, type ActorSystemRef } from 'nact'
import { Dispatcher } from '../../../src/actors/dispatcher'
import { InMemoryPartCatalog } from '../../../src/actors/part-catalog'
import type { PartProduced } from '../../../src/domain/events'
import { DEFAULT_RULES } from '../../../src/domain/rules'
import { SlowJournal } from '../../doubles/in-memory-journal'
import { productionInput } from '../../support/production'

describe('an entity actor taking the inputs that queued during its commit', () => {
  let system: ActorSystemRef
  let actors: Dispatcher
  let failures: unknown[]
  const startWith = (journal: SlowJournal) => {
    failures = []
    actors = new Dispatcher(system, {
      journal,
      catalog: new InMemoryPartCatalog(),
      rules: DEFAULT_RULES,
      snapshotEvery: 10,
      idleMs: 60_000,
      onCrash: (_entity, err) => failures.push(err),
    })
  }
  beforeEach(() => {
    system = start()
  })
  afterEach(() => {
    actors.stop()
    stop(system)
  })
  const orderOf = (journal: SlowJournal) =>
    (journal.machineEvents('m1') as PartProduced[]).map((e) => [e.sequence, e.var1])

  it('commits them together, in arrival order, with gap-free sequences', async () => {
    const journal = new SlowJournal(5)
    startWith(journal)
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => actors.dispatch(productionInput('m1', i + 1))),
    )
    expect(outcomes).toEqual(Array(50).fill('applied'))
    const events = journal.machineEvents('m1')
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1))
    const produced = events.filter((e): e is PartProduced => e.type === 'PartProduced')
    expect(produced.map((e) => e.var1)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    // The first input alone, then everything that queued behind it.
    expect(journal.commits).toBe(2)
  })

  it('counts a redelivered copy within the same batch once', async () => {
    const journal = new SlowJournal(5)
    startWith(journal)
    const outcomes = await Promise.all(
      [1, 2, 3, 2, 4].map((n) => actors.dispatch(productionInput('m1', n))),
    )
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'duplicate', 'applied'])
    expect(orderOf(journal)).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ])
  })

  it('takes a batch holding an input committed earlier one by one, so it counts once', async () => {
    const journal = new SlowJournal(5)
    startWith(journal)
    expect(await actors.dispatch(productionInput('m1', 2))).toBe('applied')
    const outcomes = await Promise.all(
      [10, 1, 2, 3].map((n) => actors.dispatch(productionInput('m1', n))),
    )
    expect(outcomes).toEqual(['applied', 'applied', 'duplicate', 'applied'])
    expect(orderOf(journal)).toEqual([
      [1, 2],
      [2, 10],
      [3, 1],
      [4, 3],
    ])
  })

  it('fails a bad input alone while the rest of its batch commits', async () => {
    const journal = new SlowJournal(5, (w) => w.inputs.some((i) => i.idempotencyKey === 'm1-3'))
    startWith(journal)
    const settled = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) => actors.dispatch(productionInput('m1', n))),
    )
    expect(settled.map((s) => s.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ])
    expect(orderOf(journal)).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
      [4, 5],
    ])
    expect(failures).toHaveLength(1)
  })
})
