import { BoundReached } from './bounds.js'
import { newEventId } from './event-id.js'
import type { MachineEvent, PartProduced } from './events.js'
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
  alerts: { silent: boolean; scrapRate: boolean }
}

/** Inputs a machine actor acts on. */
export type MachineInput =
  | { kind: 'production'; report: ProductionReport }
  | { kind: 'status'; state: Exclude<RunState, 'unknown'>; at: number; reason: string | null }
  | { kind: 'telemetry'; at: number; metrics: Record<string, number> }
  | { kind: 'heartbeat-check' }
  | { kind: 'command'; command: MachineCommand; at: number; requestedBy: string | null }

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
  }
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
          scrapRate: s.alerts.scrapRate && scrapRateOver(tracker, e.occurredAt, rules),
        },
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
      }
    case 'MachineCountersReset':
      return { ...s, sequence: e.sequence, produced: 0, scrapped: 0 }
    case 'MachineAlertRaised':
      return {
        ...s,
        sequence: e.sequence,
        alerts: { ...s.alerts, [e.alert === 'silent' ? 'silent' : 'scrapRate']: true },
      }
  }
}

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
      const after = { produced: counts.produced + 1, good: counts.good + (r.damaged ? 0 : 1) }
      if (!s.alerts.scrapRate && scrapRateExceeded(after, ctx.rules)) {
        const { produced: n, good } = after
        events.push(
          Object.assign(envelope('MachineAlertRaised', r.producedAt), {
            alert: 'scrap-rate' as const,
            detail: `${n - good} of ${n} parts scrapped in the OEE window (threshold ${ctx.rules.scrapRateThreshold})`,
          }),
        )
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
      }
      break
    case 'telemetry':
      refuseMetricsPastBound(s, input.metrics, ctx.rules.maxMetricsPerMachine)
      events.push(
        Object.assign(envelope('MachineMetricsRecorded', input.at), { metrics: input.metrics }),
      )
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
        }
      }
      break
    case 'heartbeat-check':
      if (
        s.lastSeenAt !== null &&
        !s.alerts.silent &&
        ctx.now - s.lastSeenAt > ctx.rules.heartbeatTimeoutMs
      ) {
        events.push(
          Object.assign(envelope('MachineAlertRaised', ctx.now), {
            alert: 'silent' as const,
            detail: `no message for ${Math.round((ctx.now - s.lastSeenAt) / 1000)} s (timeout ${ctx.rules.heartbeatTimeoutMs / 1000} s)`,
          }),
        )
      }
      break
  }
  return events
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
