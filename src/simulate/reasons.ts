/** The loss categories a reason may have: the six big losses, then the planned ones. */
export type LossCategory =
  | 'breakdown'
  | 'setup-adjustment'
  | 'small-stop'
  | 'reduced-speed'
  | 'startup-reject'
  | 'production-reject'
  | 'planned-maintenance'
  | 'no-orders'
  | 'planned-changeover'
  | 'break'

/** One entry of a plant model's reason catalogue. */
export type ReasonSpec = { name: string; category: LossCategory; planned: boolean }

/**
 * Every reason code the simulated plant sends, with what the plant model says of it. The
 * plant model file, the Sparkplug `StopReason` numbers and the machines all read this table,
 * so a code the machines send is always in the catalogue.
 */
export const SIM_REASONS = {
  'BRK-SPINDLE': { name: 'Spindle failure', category: 'breakdown', planned: false },
  'BRK-TOOL': { name: 'Tool breakage', category: 'breakdown', planned: false },
  'BRK-COOLANT': { name: 'Coolant pressure low', category: 'breakdown', planned: false },
  'BRK-SERVO': { name: 'Servo alarm', category: 'breakdown', planned: false },
  'BRK-HYDRAULIC': { name: 'Hydraulic leak', category: 'breakdown', planned: false },
  'NO-MATERIAL': { name: 'Material shortage', category: 'small-stop', planned: false },
  JAM: { name: 'Part jam', category: 'small-stop', planned: false },
  SETUP: { name: 'Changeover', category: 'setup-adjustment', planned: false },
  'PLANNED-MAINT': {
    name: 'Planned maintenance',
    category: 'planned-maintenance',
    planned: true,
  },
  'MAINT-REQUEST': {
    name: 'Maintenance requested by an operator',
    category: 'planned-maintenance',
    planned: true,
  },
  BREAK: { name: 'Break', category: 'break', planned: true },
  'NO-ORDERS': { name: 'No orders (off shift)', category: 'no-orders', planned: true },
} as const satisfies Record<string, ReasonSpec>

export type SimReasonCode = keyof typeof SIM_REASONS

/** The codes in table order: a Sparkplug `StopReason` of n is the code at n - 1 (0: none). */
export const SIM_REASON_CODES = Object.keys(SIM_REASONS) as SimReasonCode[]

/** The breakdowns a failing machine draws from. */
export const FAULT_CODES = [
  'BRK-SPINDLE',
  'BRK-TOOL',
  'BRK-COOLANT',
  'BRK-SERVO',
  'BRK-HYDRAULIC',
] as const satisfies readonly SimReasonCode[]

/** A planned stop the shift calendar makes: a break, or the time between shifts. */
export type PlannedStopCode = Extract<SimReasonCode, 'BREAK' | 'NO-ORDERS'>

/** The Sparkplug `StopReason` number of a code; 0 for none. */
export function stopReasonNumber(code: string | undefined): number {
  return code === undefined ? 0 : SIM_REASON_CODES.indexOf(code as SimReasonCode) + 1
}
