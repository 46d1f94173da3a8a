import { start, stop, type ActorSystemRef } from 'nact'
import { MachineDispatcher } from '../../../src/actors/machine-dispatcher'
import { InMemoryJournal, PartlyFailingJournal } from '../../doubles/in-memory-journal'
import { productionInput } from '../../support/production'

describe('machine actor', () => {
  let system: ActorSystemRef
  beforeEach(() => {
    system = start()
  })
  afterEach(() => {
    stop(system)
  })

  it('gives each machine its own gap-free sequence, in arrival order', async () => {
    const journal = new InMemoryJournal()
    const machines = new MachineDispatcher(system, { journal, snapshotEvery: 10, idleMs: 60_000 })
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => machines.dispatch(productionInput(`m${n % 3}`, n))),
    )
    for (const id of ['m0', 'm1', 'm2']) {
      const events = journal.events.filter((e) => e.key === id)
      expect(events.map((e) => e.sequence)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1))
      expect(events.map((e) => e.var1)).toEqual(
        [...events.map((e) => e.var1)].sort((a, b) => (a ?? 0) - (b ?? 0)),
      )
    }
    expect(machines.liveActors()).toBe(3)
  })

  it('counts a duplicate delivery once', async () => {
    const journal = new InMemoryJournal()
    const machines = new MachineDispatcher(system, { journal, snapshotEvery: 10, idleMs: 60_000 })
    expect(await machines.dispatch(productionInput('m1', 1))).toBe('applied')
    expect(await machines.dispatch(productionInput('m1', 1))).toBe('duplicate')
    expect(await machines.dispatch(productionInput('m1', 2))).toBe('applied')
    expect(journal.events.map((e) => e.sequence)).toEqual([1, 2])
  })

  it('rejects the message whose commit failed and recovers from the journal for the next', async () => {
    const journal = new PartlyFailingJournal((w) => w.idempotencyKey === 'm1-2')
    const crashes: unknown[] = []
    const machines = new MachineDispatcher(system, {
      journal,
      snapshotEvery: 10,
      idleMs: 60_000,
      onCrash: (_id, err) => crashes.push(err),
    })
    await machines.dispatch(productionInput('m1', 1))
    await expect(machines.dispatch(productionInput('m1', 2))).rejects.toThrow('constraint violated')
    const loadsBefore = journal.loads
    await machines.dispatch(productionInput('m1', 3))
    expect(journal.loads).toBe(loadsBefore + 1)
    expect(journal.events.map((e) => e.sequence)).toEqual([1, 2])
    expect(crashes).toHaveLength(1)
  })

  it('is passivated when idle and, on its next message, recovers the state it had', async () => {
    const journal = new InMemoryJournal()
    const machines = new MachineDispatcher(system, { journal, snapshotEvery: 10, idleMs: 50 })
    for (let n = 1; n <= 5; n++) await machines.dispatch(productionInput('m1', n))
    await new Promise((r) => setTimeout(r, 150))
    expect(machines.liveActors()).toBe(0)
    await machines.dispatch(productionInput('m1', 6))
    expect(machines.liveActors()).toBe(1)
    expect(journal.loads).toBe(2)
    expect(journal.events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5, 6])
  })
})
