import { machineFold } from '../domain/entity-folds.js'
import { alarmDueAt } from '../domain/alarms/alarm-decide.js'
import { machineAlarmRules } from '../domain/alarms/machine-alarm-rules.js'
import {
  bookOf,
  decideMachine,
  machineOee,
  type MachineInput,
  type MachineState,
} from '../domain/machine.js'
import type { MachineRules } from '../domain/rules.js'
import type { EntityKind } from './entity-actor.js'
import type { PartCatalog, PartTally } from './ports.js'

export type MachineKindDeps = {
  rules: MachineRules
  catalog: PartCatalog
  /** Tells the part actor about a part this machine produced. */
  tellPart(partId: number, damaged: boolean): void
}

/** The machine entity: state, OEE and alerts from production, status and telemetry. */
export function machineKind(deps: MachineKindDeps): EntityKind<MachineState, MachineInput> {
  return {
    entityType: 'machine',
    ...machineFold(deps.rules),
    decide: (s, input, now) =>
      decideMachine(s, input, {
        now,
        rules: deps.rules,
        idealCycleSeconds: (p) => deps.catalog.idealCycleSeconds(p),
      }),
    project: (s) => ({
      entityType: 'machine',
      state: s,
      oee: machineOee(s, deps.rules),
      alarmDueAt: alarmDueAt(bookOf(s), machineAlarmRules(deps.rules, s.machineId).all, s),
    }),
    tallies: (events) =>
      events.flatMap((e): PartTally[] =>
        e.type === 'PartProduced'
          ? [{ partId: e.partId, produced: 1, scrapped: e.damaged ? 1 : 0 }]
          : [],
      ),
    afterCommit: (_s, events) => {
      for (const e of events) if (e.type === 'PartProduced') deps.tellPart(e.partId, e.damaged)
    },
  }
}
