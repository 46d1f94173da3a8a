import type { ActorSystemRef } from 'nact'
import type { ValidInput } from '../domain/inputs.js'
import type { MachineInput, MachineState } from '../domain/machine.js'
import type { MaterialInput, MaterialState } from '../domain/material.js'
import type { PartInput, PartState } from '../domain/part.js'
import type { MachineRules } from '../domain/rules.js'
import { entityBehaviour, type EntityKind, type EntityMsg } from './entity-actor.js'
import { spawnEntityRouter, type EntityRouter } from './entity-router.js'
import { machineKind } from './machine-actor.js'
import { materialKind } from './material-actor.js'
import { partKind } from './part-actor.js'
import type { CommitOutcome, EntityJournal, InputOrigin, PartCatalog } from './ports.js'

export type DispatcherOptions = {
  journal: EntityJournal
  catalog: PartCatalog
  rules: MachineRules
  snapshotEvery: number
  idleMs: number
  /** Idle this long, an actor stops but its state stays in memory (default: `idleMs`). */
  hibernateMs?: number
  /** Most queued inputs an actor takes into one commit (default 100). */
  maxBatch?: number
  /** Told when an actor crashes or one input fails (the input is dead-lettered). */
  onCrash?: (entity: string, error: unknown) => void
}

const ignore = { resolve: () => undefined, reject: () => undefined }

/** Spawns the machine, part and material actors on demand and routes inputs to them. */
export class Dispatcher {
  private readonly machines: EntityRouter<EntityMsg<MachineInput>>
  private readonly parts: EntityRouter<EntityMsg<PartInput>>
  private readonly materials: EntityRouter<EntityMsg<MaterialInput>>

  constructor(system: ActorSystemRef, options: DispatcherOptions) {
    const router = <S extends { sequence: number }, I>(name: string, kind: EntityKind<S, I>) => {
      const deps = {
        ...options,
        onInputFailed: (id: string, err: unknown) =>
          options.onCrash?.(`${kind.entityType} ${id}`, err),
      }
      return spawnEntityRouter<S, EntityMsg<I>>(system, {
        name,
        behaviour: entityBehaviour(kind, deps),
        idleMs: options.idleMs,
        ...(options.hibernateMs ? { hibernateMs: options.hibernateMs } : {}),
        maxBatch: options.maxBatch ?? 100,
        onCrash: deps.onInputFailed,
      })
    }
    this.parts = router<PartState, PartInput>('parts', partKind(options.catalog))
    this.materials = router<MaterialState, MaterialInput>('materials', materialKind)
    this.machines = router<MachineState, MachineInput>(
      'machines',
      machineKind({
        rules: options.rules,
        catalog: options.catalog,
        tellPart: (partId, damaged) =>
          this.parts.tell(String(partId), {
            input: { kind: 'part-output', damaged },
            idempotencyKey: '',
            done: ignore,
          }),
      }),
    )
  }

  /**
   * Hands an input to its actor; resolves once its effect is committed. `origin`: where it was
   * read, in cluster mode (its commit is refused if the partition has moved on).
   */
  dispatch(input: ValidInput, origin?: InputOrigin): Promise<CommitOutcome> {
    return new Promise<CommitOutcome>((resolve, reject) => {
      const done = { resolve, reject }
      const { idempotencyKey } = input
      switch (input.entity) {
        case 'machine':
          return this.machines.tell(input.entityKey, {
            input: input.input,
            idempotencyKey,
            done,
            origin,
          })
        case 'part':
          return this.parts.tell(input.entityKey, {
            input: input.input,
            idempotencyKey,
            done,
            origin,
          })
        case 'material':
          return this.materials.tell(input.entityKey, {
            input: input.input,
            idempotencyKey,
            done,
            origin,
          })
      }
    })
  }

  /**
   * Forgets every entity `gone` names, actor and state (in cluster mode, those of partitions
   * this instance gave up or has just taken: another instance may have changed them). An
   * entity at work is forgotten once its batch is done.
   */
  evict(gone: (entityId: string) => boolean): void {
    for (const r of [this.machines, this.parts, this.materials]) r.evict(gone)
  }

  /** Live (not passivated) actors, by kind. */
  liveActors(): { machines: number; parts: number; materials: number } {
    return {
      machines: this.machines.liveCount(),
      parts: this.parts.liveCount(),
      materials: this.materials.liveCount(),
    }
  }

  /** Entities whose actor stopped but whose state is kept in memory, by kind. */
  hibernating(): { machines: number; parts: number; materials: number } {
    return {
      machines: this.machines.hibernatingCount(),
      parts: this.parts.hibernatingCount(),
      materials: this.materials.hibernatingCount(),
    }
  }

  /** Stops every actor (their state is all committed by then). */
  stop(): void {
    for (const r of [this.machines, this.parts, this.materials]) r.stop()
  }
}
