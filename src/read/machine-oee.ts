import type { EntityJournal } from '../actors/ports.js'
import { machineFold } from '../domain/entity-folds.js'
import { machineOee } from '../domain/machine.js'
import type { Oee } from '../domain/oee.js'
import type { MachineRules } from '../domain/rules.js'

/**
 * OEE over a window other than the live one: the machine's state folded from its latest
 * snapshot and the events after it, as its actor would have it. Undefined for a machine that
 * has no events.
 */
export function machineOeeOver(
  journal: Pick<EntityJournal, 'load'>,
  rules: MachineRules,
): (machineId: string, windowMs: number) => Promise<Oee | undefined> {
  return async (machineId, windowMs) => {
    const fold = machineFold(rules)
    const state = await journal.load('machine', machineId, fold.initial(machineId), fold.apply)
    return state.sequence === 0 ? undefined : machineOee(state, rules, windowMs)
  }
}
