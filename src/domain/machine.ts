import type { PartProduced } from './events.js'

/** Live state of one machine, rebuilt from its events alone. */
export type MachineState = {
  machineId: string
  sequence: number
  state: 'unknown' | 'running' | 'idle' | 'down' | 'maintenance'
  stateSince: number | null
  lastSeenAt: number | null
  produced: number
  scrapped: number
  lastOrder: number | null
  lastPartId: number | null
  lastProducedAt: number | null
}

/** The state of a machine never heard of. */
export function initialMachineState(machineId: string): MachineState {
  return {
    machineId,
    sequence: 0,
    state: 'unknown',
    stateSince: null,
    lastSeenAt: null,
    produced: 0,
    scrapped: 0,
    lastOrder: null,
    lastPartId: null,
    lastProducedAt: null,
  }
}

/** Machine events this module knows how to apply. */
export type MachineEvent = PartProduced

/** Pure reducer: the state after one event. Recovery replays events through it. */
export function applyMachineEvent(state: MachineState, event: MachineEvent): MachineState {
  switch (event.type) {
    case 'PartProduced':
      return {
        ...state,
        sequence: event.sequence,
        lastSeenAt: Math.max(state.lastSeenAt ?? 0, event.recordedAt),
        produced: state.produced + 1,
        scrapped: state.scrapped + (event.damaged ? 1 : 0),
        lastOrder: event.order,
        lastPartId: event.partId,
        lastProducedAt: event.occurredAt,
      }
  }
}
