import type { AlarmEvent } from '../../../../src/domain/events'
import {
  applyAlarmEvent,
  EMPTY_BOOK,
  trackInputs,
  type AlarmBook,
} from '../../../../src/domain/alarms/alarm-book'
import {
  decideAlarms,
  type AlarmChange,
  type AlarmTrigger,
} from '../../../../src/domain/alarms/alarm-decide'
import type { AlarmRule } from '../../../../src/domain/alarms/alarm-rule'
import { machineAlarmRules } from '../../../../src/domain/alarms/machine-alarm-rules'
import { DEFAULT_RULES } from '../../../../src/domain/rules'
import type { RunState } from '../../../../src/domain/oee'

/** An alarm change wrapped as the machine's decide wraps it. */
export function asEvent(change: AlarmChange, now: number, sequence = 1): AlarmEvent {
  return {
    eventId: `e${sequence}`,
    key: 'm1',
    sequence,
    occurredAt: now,
    recordedAt: now,
    machineId: 'm1',
    ...change,
  }
}

/**
 * Drives one machine's alarms through a hand-worked timeline, as decide + apply do: each step
 * decides the alarm changes, then folds the input's tracks and the changes into the book.
 */
export class Timeline {
  book: AlarmBook = EMPTY_BOOK
  state: RunState = 'running'
  lastSeenAt: number | null = null
  metrics: Record<string, number> = {}
  readonly log: AlarmChange[] = []

  constructor(
    readonly rules: AlarmRule[],
    readonly machineId = 'm1',
  ) {}

  reading(now: number, metrics: Record<string, number>): AlarmChange[] {
    return this.step(now, { kind: 'telemetry', metrics }, true, () => {
      this.book = trackInputs(
        this.book,
        this.watching().threshold,
        { state: this.state, metrics },
        now,
      )
      this.metrics = { ...this.metrics, ...metrics }
    })
  }

  status(now: number, state: RunState): AlarmChange[] {
    this.state = state
    return this.step(now, { kind: 'state' }, true, () => {
      this.book = trackInputs(this.book, this.watching().stateDuration, { state, metrics: {} }, now)
    })
  }

  production(now: number, produced: number, good: number): AlarmChange[] {
    return this.step(now, { kind: 'production', produced, good }, true, () => undefined)
  }

  tick(now: number): AlarmChange[] {
    return this.step(now, { kind: 'tick' }, false, () => undefined)
  }

  apply(now: number, changes: AlarmChange[]): void {
    for (const c of changes) this.book = applyAlarmEvent(this.book, asEvent(c, now))
    this.log.push(...changes)
  }

  private watching() {
    return machineAlarmRules(
      { ...DEFAULT_RULES, alarms: { current: () => this.rules } },
      this.machineId,
    )
  }

  private step(
    now: number,
    trigger: AlarmTrigger,
    heard: boolean,
    track: () => void,
  ): AlarmChange[] {
    const changes = decideAlarms(
      this.book,
      this.rules,
      {
        machineId: this.machineId,
        state: this.state,
        metrics: this.metrics,
        lastSeenAt: this.lastSeenAt,
        heard,
      },
      trigger,
      now,
    )
    track()
    if (heard) this.lastSeenAt = now
    this.apply(now, changes)
    return changes
  }
}

/** The types of a list of changes, for short assertions. */
export const types = (changes: AlarmChange[]): string[] =>
  changes.map((c) => `${c.type}:${c.ruleId}`)
