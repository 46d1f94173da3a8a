/**
 * Where a stop's time goes (ISO 22400-2 and the six big losses): one row per category, saying
 * whether the plant planned it (planned time is taken out of planned busy time, so it is no
 * loss) and, for an unplanned one, which of the six losses it is.
 */
export const LOSS_CATEGORIES = {
  breakdown: { planned: false, loss: 'breakdown' },
  'setup-adjustment': { planned: false, loss: 'setupAdjustment' },
  'small-stop': { planned: false, loss: 'smallStop' },
  'reduced-speed': { planned: false, loss: 'reducedSpeed' },
  'startup-reject': { planned: false, loss: 'startupReject' },
  'production-reject': { planned: false, loss: 'productionReject' },
  'planned-maintenance': { planned: true, loss: null },
  'no-orders': { planned: true, loss: null },
  'planned-changeover': { planned: true, loss: null },
  break: { planned: true, loss: null },
} as const satisfies Record<string, { planned: boolean; loss: SixLoss | null }>

/** A category a reason of the catalogue may have. */
export type LossCategory = keyof typeof LOSS_CATEGORIES

/** Every category, in the table's order. */
export const LOSS_CATEGORY_NAMES = Object.keys(LOSS_CATEGORIES) as LossCategory[]

/** The categories a planned downtime window may have. */
export const PLANNED_CATEGORY_NAMES = LOSS_CATEGORY_NAMES.filter((c) => LOSS_CATEGORIES[c].planned)

/** A stop's category: one of the catalogue's, or `unqualified` until someone says why. */
export type StopCategory = LossCategory | 'unqualified'

/** The six big losses, as the KPI answer names them. */
export const SIX_LOSSES = [
  'breakdown',
  'setupAdjustment',
  'smallStop',
  'reducedSpeed',
  'startupReject',
  'productionReject',
] as const
export type SixLoss = (typeof SIX_LOSSES)[number]

/** Whether a stop of this category is planned (an unqualified one is not). */
export function isPlanned(category: StopCategory): boolean {
  return category !== 'unqualified' && LOSS_CATEGORIES[category].planned
}
