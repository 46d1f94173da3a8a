import { BoundReached } from './bounds.js'
import { newEventId } from './event-id.js'
import type { AlarmEvent, MachineEvent, PartProduced } from './events.js'
import {
  advance,
  computeOee,
  emptyTracker,
  prune,
  recordPart,
  windowCounts,
  type Oee,
  type OeeTracker,
  type RunState,
} from './oee.js'
import type { MACHINE_COMMANDS } from './input-schemas.js'
import type { ProductionReport } from './production.js'
import type { MachineRules } from './rules.js'
import {
  applyAlarmEvent,
  EMPTY_BOOK,
  hasActive,
  trackInputs,
  type AlarmBook,
} from './alarms/alarm-book.js'
import { decideAlarmCommand, type AlarmCommand } from './alarms/alarm-commands.js'
import { decideAlarms, type AlarmChange, type AlarmTrigger } from './alarms/alarm-decide.js'
import { machineAlarmRules } from './alarms/machine-alarm-rules.js'

/** Live state of one machine, rebuilt from its events alone. */
export type MachineState = {
  machineId: string
  sequence: number
  state: RunState
  stateSince: number | null
  /** The reason the machine last gave for its state while stopped; a new one splits the stop. */
  stateReason: string | null
  lastSeenAt: number | null
  produced: number
  scrapped: number
  lastOrder: number | null
  lastPartId: number | null
  lastProducedAt: number | null
  metrics: Record<string, number>
  metricsAt: number | null
  tracker: OeeTracker
  /** Whether an alarm of the silent and of the scrap-rate kind is active (kept for readers). */
  alerts: { silent: boolean; scrapRate: boolean }
  /** The machine's alarms; absent from snapshots taken before there were any (read `bookOf`). */
  alarms?: AlarmBook
}

/** Inputs a machine actor acts on. */
export type MachineInput =
  | { kind: 'production'; report: ProductionReport }
  | { kind: 'status'; state: Exclude<RunState, 'unknown'>; at: number; reason: string | null }
  | { kind: 'telemetry'; at: number; metrics: Record<string, number> }
  | { kind: 'heartbeat-check' }
  | { kind: 'command'; command: MachineCommand; at: number; requestedBy: string | null }
  | { kind: 'alarm'; command: AlarmCommand; requestedBy: string | null }

/** Operator commands (POST /machines/{machineId}/commands). */
export type MachineCommand = (typeof MACHINE_COMMANDS)[number]

/** What `decide` may look up besides the machine's own state. */
export type MachineContext = {
  now: number
  rules: MachineRules
  /** The part's ideal cycle time in seconds, if its reference data is known. */
  idealCycleSeconds: (partId: number) => number | null
}

/** The state of a machine never heard of. */
export function initialMachineState(machineId: string, rules: MachineRules): MachineState {
  return {
    machineId,
    sequence: 0,
    state: 'unknown',
    stateSince: null,
    stateReason: null,
    lastSeenAt: null,
    produced: 0,
    scrapped: 0,
    lastOrder: null,
    lastPartId: null,
    lastProducedAt: null,
    metrics: {},
    metricsAt: null,
    tracker: emptyTracker(rules.oeeBucketMs),
    alerts: { silent: false, scrapRate: false },
    alarms: EMPTY_BOOK,
  }
}

/** A machine's alarm book (empty in a state recovered from a snapshot older than alarms). */
export function bookOf(s: MachineState): AlarmBook {
  return s.alarms ?? EMPTY_BOOK
}

/** Pure reducer: the state after one event. Recovery replays events through it. */
export function applyMachineEvent(
  s: MachineState,
  e: MachineEvent,
  rules: MachineRules,
): MachineState {
  const lastSeenAt = Math.max(s.lastSeenAt ?? 0, e.recordedAt)
  const seen = { sequence: e.sequence, lastSeenAt }
  // The two events of nearly every message build the next state as one literal of every
  // field: spreading the state and adding fields after it cost several microseconds an event.
  switch (e.type) {
    case 'PartProduced': {
      const tracker = recordPart(
        s.tracker,
        s.state,
        { at: e.occurredAt, good: !e.damaged, idealMs: msOrNull(e.idealCycleSeconds) },
        rules.oeeWindowMs,
      )
      return {
        machineId: s.machineId,
        sequence: e.sequence,
        state: s.state,
        stateSince: s.stateSince,
        stateReason: s.stateReason,
        lastSeenAt,
        produced: s.produced + 1,
        scrapped: s.scrapped + (e.damaged ? 1 : 0),
        lastOrder: e.order,
        lastPartId: e.partId,
        lastProducedAt: e.occurredAt,
        metrics: s.metrics,
        metricsAt: s.metricsAt,
        tracker,
        alerts: {
          silent: false,
          // A flag of the old MachineAlertRaised has no alarm to clear it: the window does.
          scrapRate:
            s.alerts.scrapRate &&
            (hasActive(bookOf(s), 'scrap-rate') || scrapRateOver(tracker, e.occurredAt, rules)),
        },
        alarms: s.alarms,
      }
    }
    case 'MachineStateChanged':
      return {
        ...s,
        ...seen,
        tracker: prune(
          advance(s.tracker, s.state, e.occurredAt, rules.oeeWindowMs),
          e.occurredAt,
          rules.oeeWindowMs,
        ),
        state: e.state,
        stateSince: e.occurredAt,
        stateReason: e.reason ?? null,
        alerts: { ...s.alerts, silent: false },
        alarms: trackInputs(
          bookOf(s),
          machineAlarmRules(rules, s.machineId).stateDuration,
          { state: e.state, metrics: NO_METRICS },
          e.recordedAt,
        ),
      }
    case 'MachineMetricsRecorded':
      return {
        machineId: s.machineId,
        sequence: e.sequence,
        state: s.state,
        stateSince: s.stateSince,
        stateReason: s.stateReason,
        lastSeenAt,
        produced: s.produced,
        scrapped: s.scrapped,
        lastOrder: s.lastOrder,
        lastPartId: s.lastPartId,
        lastProducedAt: s.lastProducedAt,
        metrics: { ...s.metrics, ...e.metrics },
        metricsAt: e.occurredAt,
        tracker: s.tracker,
        alerts: { silent: false, scrapRate: s.alerts.scrapRate },
        alarms: trackInputs(
          bookOf(s),
          machineAlarmRules(rules, s.machineId).threshold,
          { state: s.state, metrics: e.metrics },
          e.recordedAt,
        ),
      }
    case 'MachineCountersReset':
      return { ...s, sequence: e.sequence, produced: 0, scrapped: 0 }
    case 'MachineAlertRaised':
      return {
        ...s,
        sequence: e.sequence,
        alerts: { ...s.alerts, [e.alert === 'silent' ? 'silent' : 'scrapRate']: true },
      }
    case 'AlarmRaised':
    case 'AlarmCleared':
    case 'AlarmAcknowledged':
    case 'AlarmShelved':
    case 'AlarmUnshelved':
    case 'AlarmCommented': {
      const alarms = applyAlarmEvent(bookOf(s), e)
      return {
        ...s,
        sequence: e.sequence,
        alarms,
        alerts: { silent: hasActive(alarms, 'silent'), scrapRate: hasActive(alarms, 'scrap-rate') },
      }
    }
  }
}

const NO_METRICS: Readonly<Record<string, number>> = Object.freeze({})

/** The events an input causes (none if it changes nothing). Pure but for fresh event ids. */
export function decideMachine(
  s: MachineState,
  input: MachineInput,
  ctx: MachineContext,
): MachineEvent[] {
  const events: MachineEvent[] = []
  // Object.assign, not `{ ...envelope(), ...}`: V8 took about 6 µs per spread event (measured),
  // a tenth of the whole pipeline's cost per message.
  const envelope = <T extends MachineEvent['type']>(type: T, occurredAt: number) => ({
    eventId: newEventId(),
    type,
    key: s.machineId,
    sequence: s.sequence + events.length + 1,
    occurredAt,
    recordedAt: ctx.now,
    machineId: s.machineId,
  })
  let trigger: AlarmTrigger = TICK
  // Whether the input is a message from the machine itself (which ends a silence).
  let heard = true
  switch (input.kind) {
    case 'production': {
      const r = input.report
      const produced: PartProduced = Object.assign(envelope('PartProduced', r.producedAt), {
        partId: r.partId,
        order: r.order,
        damaged: r.damaged,
        var1: r.var1,
        var2: r.var2,
        var3: r.var3,
        var4: r.var4,
        messageId: r.messageId,
        idealCycleSeconds: ctx.idealCycleSeconds(r.partId),
      })
      events.push(produced)
      // The window as it will be once this part is counted (read-only: no state copy).
      const counts = windowCounts(s.tracker, r.producedAt, ctx.rules.oeeWindowMs)
      trigger = {
        kind: 'production',
        produced: counts.produced + 1,
        good: counts.good + (r.damaged ? 0 : 1),
      }
      break
    }
    case 'status':
      // A new reason while stopped is a new stop of the same state (setup, then a break); a
      // repeat with no reason keeps the one given.
      if (
        input.state !== s.state ||
        (input.state !== 'running' && input.reason !== null && input.reason !== s.stateReason)
      ) {
        events.push(
          Object.assign(envelope('MachineStateChanged', input.at), {
            state: input.state,
            previousState: s.state,
            reason: input.reason,
          }),
        )
        trigger = STATE_CHANGED
      }
      break
    case 'telemetry':
      refuseMetricsPastBound(s, input.metrics, ctx.rules.maxMetricsPerMachine)
      events.push(
        Object.assign(envelope('MachineMetricsRecorded', input.at), { metrics: input.metrics }),
      )
      trigger = { kind: 'telemetry', metrics: input.metrics }
      break
    case 'command':
      if (input.command === 'reset-counters') {
        events.push(
          Object.assign(envelope('MachineCountersReset', input.at), {
            producedBefore: s.produced,
            scrappedBefore: s.scrapped,
            requestedBy: input.requestedBy,
          }),
        )
      } else {
        // Maintenance is a run state: it stops counting as planned time until it ends.
        const state: RunState = input.command === 'maintenance-start' ? 'maintenance' : 'idle'
        if (state !== s.state && (state === 'maintenance' || s.state === 'maintenance')) {
          const reason = `${input.command} by ${input.requestedBy ?? 'operator'}`
          events.push(
            Object.assign(envelope('MachineStateChanged', input.at), {
              state,
              previousState: s.state,
              reason,
            }),
          )
          trigger = STATE_CHANGED
        }
      }
      heard = false
      break
    case 'heartbeat-check':
      heard = false
      break
    case 'alarm':
      for (const change of decideAlarmCommand(bookOf(s), input.command, input.requestedBy, ctx.now))
        events.push(alarmEvent(envelope(change.type, ctx.now), change))
      return events
      break
  }
  // Alarms are decided on what the input changed, in service time, so a replay of the log folds
  // the same tracks the decision read.
  const after = events.findLast(isStateChange)?.state ?? s.state
  const changes = decideAlarms(
    bookOf(s),
    machineAlarmRules(ctx.rules, s.machineId).all,
    { machineId: s.machineId, state: after, metrics: s.metrics, lastSeenAt: s.lastSeenAt, heard },
    trigger,
    ctx.now,
  )
  for (const change of changes) events.push(alarmEvent(envelope(change.type, ctx.now), change))
  return events
}

const STATE_CHANGED: AlarmTrigger = { kind: 'state' }
const TICK: AlarmTrigger = { kind: 'tick' }

const isStateChange = (e: MachineEvent) => e.type === 'MachineStateChanged'

/** An alarm change in the envelope decide gives every event of the input. */
function alarmEvent(
  env: {
    eventId: string
    key: string
    sequence: number
    occurredAt: number
    recordedAt: number
    machineId: string
  },
  change: AlarmChange,
): AlarmEvent {
  return { ...env, ...change }
}

/** OEE as of the machine's latest known time (its own clock). */
export function machineOee(
  s: MachineState,
  rules: MachineRules,
  windowMs = rules.oeeWindowMs,
): Oee {
  const asOf = s.tracker.accountedUntil ?? s.lastProducedAt ?? 0
  return computeOee(s.tracker, s.state, asOf, windowMs)
}

/**
 * Throws when a reading would give the machine more metric names than `max`. The whole reading
 * is refused, its known names too: a message then has one outcome (applied, or a dead letter
 * that a replay applies whole once the bound is raised), and the event log holds only names the
 * state keeps, so a replay rebuilds the same state and the series see only those. The state
 * never holds more than `max` names unless the setting was lowered after they came.
 */
function refuseMetricsPastBound(
  s: MachineState,
  metrics: Record<string, number>,
  max: number,
): void {
  const added: string[] = []
  for (const name in metrics) if (!Object.hasOwn(s.metrics, name)) added.push(name)
  if (added.length === 0) return
  const known = Object.keys(s.metrics).length
  if (known + added.length <= max) return
  const shown = added.slice(0, 5).join(', ') + (added.length > 5 ? ', …' : '')
  throw new BoundReached(
    'metrics-per-machine',
    `telemetry would give machine ${s.machineId} ${known + added.length} metric names, over MAX_METRICS_PER_MACHINE (${max}); ${added.length} new: ${shown}`,
  )
}

function scrapRateOver(tracker: OeeTracker, at: number, rules: MachineRules): boolean {
  return scrapRateExceeded(windowCounts(tracker, at, rules.oeeWindowMs), rules)
}

function scrapRateExceeded(
  { produced, good }: { produced: number; good: number },
  rules: MachineRules,
): boolean {
  return (
    produced >= rules.scrapRateMinParts && (produced - good) / produced > rules.scrapRateThreshold
  )
}

function msOrNull(seconds: number | null): number | null {
  return seconds === null ? null : seconds * 1000
}
