import { start, stop, type ActorSystemRef } from 'nact'
import { Dispatcher } from '../../../src/actors/dispatcher'
import { InMemoryPartCatalog } from '../../../src/actors/part-catalog'
import type { PartProduced } from '../../../src/domain/events'
import { DEFAULT_RULES } from '../../../src/domain/rules'
import { InMemoryJournal, PartlyFailingJournal } from '../../doubles/in-memory-journal'
import { productionInput } from '../../support/production'

const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 5))
}

describe('entity actors', () => {
  let system: ActorSystemRef
  const created: Dispatcher[] = []
  beforeEach(() => {
    system = start()
  })
  afterEach(() => {
    // nact's system stop misses grandchildren: stop the actors so their idle timers go too.
    for (const d of created.splice(0)) d.stop()
    stop(system)
  })
  const dispatcher = (
    journal: InMemoryJournal,
    idleMs = 60_000,
    onCrash?: (e: string, err: unknown) => void,
  ) => {
    const d = new Dispatcher(system, {
      journal,
      catalog: new InMemoryPartCatalog(),
      rules: DEFAULT_RULES,
      snapshotEvery: 10,
      idleMs,
      onCrash,
    })
    created.push(d)
    return d
  }

  it('gives each machine its own gap-free sequence, in arrival order', async () => {
    const journal = new InMemoryJournal()
    const actors = dispatcher(journal)
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => actors.dispatch(productionInput(`m${n % 3}`, n))),
    )
    for (const id of ['m0', 'm1', 'm2']) {
      const events = journal.machineEvents(id) as PartProduced[]
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
      const order = events.map((e) => e.var1 ?? 0)
      expect(order).toEqual([...order].sort((a, b) => a - b))
    }
    expect(actors.liveActors().machines).toBe(3)
  })

  it('counts a duplicate delivery once', async () => {
    const journal = new InMemoryJournal()
    const actors = dispatcher(journal)
    expect(await actors.dispatch(productionInput('m1', 1))).toBe('applied')
    expect(await actors.dispatch(productionInput('m1', 1))).toBe('duplicate')
    expect(await actors.dispatch(productionInput('m1', 2))).toBe('applied')
    expect(journal.machineEvents('m1').map((e) => e.sequence)).toEqual([1, 2])
  })

  it('rejects the message whose commit failed and recovers from the journal for the next', async () => {
    const journal = new PartlyFailingJournal((w) =>
      w.inputs.some((i) => i.idempotencyKey === 'm1-2'),
    )
    const crashes: unknown[] = []
    const actors = dispatcher(journal, 60_000, (_entity, err) => crashes.push(err))
    await actors.dispatch(productionInput('m1', 1))
    await expect(actors.dispatch(productionInput('m1', 2))).rejects.toThrow('constraint violated')
    const loadsBefore = journal.loads
    await actors.dispatch(productionInput('m1', 3))
    expect(journal.loads).toBe(loadsBefore + 1)
    expect(journal.machineEvents('m1').map((e) => e.sequence)).toEqual([1, 2])
    expect(crashes).toHaveLength(1)
  })

  it('is passivated when idle and, on its next message, recovers the state it had', async () => {
    const journal = new InMemoryJournal()
    const actors = dispatcher(journal, 50)
    for (let n = 1; n <= 5; n++) await actors.dispatch(productionInput('m1', n))
    await new Promise((r) => setTimeout(r, 150))
    expect(actors.liveActors().machines).toBe(0)
    await actors.dispatch(productionInput('m1', 6))
    expect(actors.liveActors().machines).toBe(1)
    expect(journal.machineEvents('m1').map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('hibernates when briefly idle and wakes from memory, without reading the journal', async () => {
    const journal = new InMemoryJournal()
    const actors = new Dispatcher(system, {
      journal,
      catalog: new InMemoryPartCatalog(),
      rules: DEFAULT_RULES,
      snapshotEvery: 10,
      hibernateMs: 40,
      idleMs: 60_000,
    })
    created.push(actors)
    const input = (n: number) => productionInput('m1', n, { partId: 1 })
    for (let n = 1; n <= 3; n++) await actors.dispatch(input(n))
    // The machine and the part it told about its parts both go to sleep.
    await waitFor(() => actors.hibernating().machines === 1 && actors.hibernating().parts === 1)
    const loads = journal.loads
    expect(actors.liveActors().machines).toBe(0)
    await actors.dispatch(input(4))
    expect(actors.liveActors().machines).toBe(1)
    expect(journal.loads).toBe(loads)
    expect(journal.machineEvents('m1').map((e) => e.sequence)).toEqual([1, 2, 3, 4])
  })

  it('tells the part actor about each part produced, and the part counts survive in the journal', async () => {
    const journal = new InMemoryJournal()
    const actors = dispatcher(journal)
    await actors.dispatch({
      entity: 'part',
      entityKey: '4',
      idempotencyKey: 'info-4',
      input: {
        kind: 'part-info',
        defaultPrice: 12.5,
        timeToProduce: 30,
        materials: ['steel'],
        at: 0,
      },
    })
    for (let n = 1; n <= 3; n++)
      await actors.dispatch(productionInput('m1', n, { partId: 4, damaged: n === 2 }))
    await waitFor(() => actors.liveActors().parts === 1)
    expect(await journal.partTotals(4)).toEqual({ produced: 3, scrapped: 1 })
    const produced = journal.machineEvents('m1') as PartProduced[]
    // The machine used the part's reference data for OEE performance.
    expect(produced.map((e) => e.idealCycleSeconds)).toEqual([30, 30, 30])
  })
})
