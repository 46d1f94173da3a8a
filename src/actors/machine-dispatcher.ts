import type { ActorSystemRef } from 'nact'
import type { ValidInput } from '../domain/inputs.js'
import { spawnEntityRouter, type EntityRouter } from './entity-router.js'
import { machineBehaviour, type MachineActorState, type MachineMsg } from './machine-actor.js'
import type { CommitOutcome, MachineJournal } from './ports.js'

export type MachineDispatcherOptions = {
  journal: MachineJournal
  snapshotEvery: number
  idleMs: number
  onCrash?: (machineId: string, error: unknown) => void
}

/** Routes valid inputs to machine actors and resolves when each one is committed. */
export class MachineDispatcher {
  private readonly router: EntityRouter<MachineMsg>

  constructor(system: ActorSystemRef, options: MachineDispatcherOptions) {
    this.router = spawnEntityRouter<MachineActorState, MachineMsg>(system, {
      name: 'machines',
      behaviour: (machineId) =>
        machineBehaviour(machineId, {
          journal: options.journal,
          snapshotEvery: options.snapshotEvery,
        }),
      idleMs: options.idleMs,
      onCrash: options.onCrash,
    })
  }

  dispatch(input: ValidInput): Promise<CommitOutcome> {
    return new Promise<CommitOutcome>((resolve, reject) => {
      this.router.tell(input.entityKey, {
        kind: 'part-produced',
        report: input.report,
        idempotencyKey: input.idempotencyKey,
        done: { resolve, reject },
      })
    })
  }

  liveActors(): number {
    return this.router.liveCount()
  }

  /** Stops every machine actor (their state is all committed by then). */
  stop(): void {
    this.router.stop()
  }
}
