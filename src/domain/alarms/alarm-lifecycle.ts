import type { AlarmRule, Severity } from './alarm-rule.js'

/**
 * The ISA-18.2 states of an alarm that is not normal. Normal is the absence of an entry: an
 * acknowledged alarm whose condition ended leaves the book.
 */
export const ALARM_STATES = [
  'active-unacknowledged',
  'active-acknowledged',
  'cleared-unacknowledged',
] as const

export type AlarmState = (typeof ALARM_STATES)[number]

/** One alarm that needs or had an operator's attention. */
export type AlarmEntry = {
  ruleId: string
  ruleKind: AlarmRule['kind']
  severity: Severity
  state: AlarmState
  raisedAt: number
  detail: string
  acknowledgedAt: number | null
  acknowledgedBy: string | null
  clearedAt: number | null
}

/** An alarm taken out of the operator's view for a while, with who and why. */
export type Shelf = { by: string | null; reason: string; until: number }

/** Whether a command may go ahead, and if not, why (the API answers 409 with it). */
export type Verdict = { ok: true } | { ok: false; reason: string }

const OK: Verdict = { ok: true }
const refuse = (reason: string): Verdict => ({ ok: false, reason })

/** Whether the alarm's condition holds (raised and not cleared). */
export function isActive(entry: AlarmEntry | undefined): boolean {
  return entry !== undefined && entry.state !== 'cleared-unacknowledged'
}

/** The alarm after its condition was met: active and unacknowledged, whatever it was before. */
export function raised(
  rule: Pick<AlarmRule, 'id' | 'kind' | 'severity'>,
  at: number,
  detail: string,
): AlarmEntry {
  return {
    ruleId: rule.id,
    ruleKind: rule.kind,
    severity: rule.severity,
    state: 'active-unacknowledged',
    raisedAt: at,
    detail,
    acknowledgedAt: null,
    acknowledgedBy: null,
    clearedAt: null,
  }
}

/** The alarm after its condition ended: normal if it was acknowledged, else waiting for it. */
export function cleared(entry: AlarmEntry, at: number): AlarmEntry | undefined {
  if (entry.state === 'active-acknowledged') return undefined
  return { ...entry, state: 'cleared-unacknowledged', clearedAt: at }
}

/** The alarm after an operator acknowledged it: normal if its condition had already ended. */
export function acknowledged(
  entry: AlarmEntry,
  at: number,
  by: string | null,
): AlarmEntry | undefined {
  if (entry.state === 'cleared-unacknowledged') return undefined
  return { ...entry, state: 'active-acknowledged', acknowledgedAt: at, acknowledgedBy: by }
}

/** An acknowledgement is for an alarm that has not had one since it was raised. */
export function mayAcknowledge(entry: AlarmEntry | undefined): Verdict {
  if (!entry) return refuse('the alarm is normal: nothing to acknowledge')
  if (entry.state === 'active-acknowledged') return refuse('the alarm is already acknowledged')
  return OK
}

/** Only an alarm that is not normal may be shelved, and not twice. */
export function mayShelve(entry: AlarmEntry | undefined, shelf: Shelf | undefined): Verdict {
  if (shelf) return refuse('the alarm is already shelved')
  if (!entry) return refuse('the alarm is normal: nothing to shelve')
  return OK
}

/** Only a shelved alarm may be unshelved. */
export function mayUnshelve(shelf: Shelf | undefined): Verdict {
  return shelf ? OK : refuse('the alarm is not shelved')
}

/** A comment is about an alarm someone may be working on: one not normal, or shelved. */
export function mayComment(entry: AlarmEntry | undefined, shelf: Shelf | undefined): Verdict {
  return entry || shelf ? OK : refuse('the alarm is normal: nothing to comment on')
}
