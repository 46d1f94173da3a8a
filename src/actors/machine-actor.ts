import { randomUUID } from 'node:crypto'
import type { ActorContext, Ref } from 'nact'
import type { PartProduced } from '../domain/events.js'
import { applyMachineEvent, type MachineState } from '../domain/machine.js'
import type { ProductionReport } from '../domain/production.js'
import type { Completion, MachineJournal } from './ports.js'

/** Messages a machine actor accepts. */
export type MachineMsg = {
  kind: 'part-produced'
  report: ProductionReport
  idempotencyKey: string
  done: Completion
}

/** Unset until the actor has recovered its state from the journal. */
export type MachineActorState = MachineState | undefined

export type MachineActorDeps = {
  journal: MachineJournal
  snapshotEvery: number
  now?: () => number
}

/**
 * Behaviour of one machine actor. It recovers lazily on its first message, commits each
 * change before adopting it, and forgets its state when the input was a duplicate.
 */
export function machineBehaviour(machineId: string, deps: MachineActorDeps) {
  const now = deps.now ?? Date.now
  return async (
    current: MachineActorState,
    msg: MachineMsg,
    _ctx: ActorContext<MachineMsg, Ref<unknown>>,
  ): Promise<MachineActorState> => {
    const state = current ?? (await deps.journal.loadMachine(machineId))
    const event = partProduced(state, msg.report, now())
    const next = applyMachineEvent(state, event)
    const outcome = await deps.journal.commit({
      entityType: 'machine',
      entityId: machineId,
      idempotencyKey: msg.idempotencyKey,
      events: [event],
      state: next,
      snapshot: next.sequence % deps.snapshotEvery === 0,
    })
    msg.done.resolve(outcome)
    // A duplicate may mean an earlier attempt committed after all: recover from the journal.
    return outcome === 'applied' ? next : undefined
  }
}

function partProduced(
  state: MachineState,
  report: ProductionReport,
  recordedAt: number,
): PartProduced {
  return {
    eventId: randomUUID(),
    type: 'PartProduced',
    key: state.machineId,
    sequence: state.sequence + 1,
    occurredAt: report.producedAt,
    recordedAt,
    machineId: state.machineId,
    partId: report.partId,
    order: report.order,
    damaged: report.damaged,
    var1: report.var1,
    var2: report.var2,
    var3: report.var3,
    var4: report.var4,
    messageId: report.messageId,
  }
}
