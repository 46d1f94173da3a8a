import { REASON_MAX, type MachineMapping, type ValueSource } from './mapping.js'
import type { Reading } from './edge-sessions.js'
import { machineTopic, type MachineTopicLeaf } from '../domain/topics.js'

/** One input for the pipeline, on the JSON contract's topics. */
export type DerivedInput = { topic: string; payload: string }

/**
 * What the host remembers of a machine between messages: its counters' last values (the
 * baselines parts are counted from), the scrap not yet given to a part, the part and order last
 * named. Counter values reach the machine's telemetry, so after a restart they are read back
 * from its committed state, and a message seen again counts nothing twice.
 */
export type MachineMemory = {
  counters: Map<string, number>
  scrapPending: number
  partId: number | undefined
  order: number | undefined
}

export type Translation = { inputs: DerivedInput[]; problems: string[] }

/** Most parts one message may report; a counter that jumps further is a fault, not output. */
export const MAX_PARTS_PER_MESSAGE = 10_000

/** Telemetry metric names take 1-64 of A-Z a-z 0-9 . _ -: Sparkplug's `/` becomes `.`. */
export function telemetryName(sparkplugName: string, mapping: MachineMapping): string {
  return (
    (Object.hasOwn(mapping.telemetry, sparkplugName)
      ? mapping.telemetry[sparkplugName]
      : undefined) ??
    sparkplugName
      .replaceAll('/', '.')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 64)
  )
}

/** The telemetry names under which a machine's counters are kept, to read them back. */
export function counterNames(mapping: MachineMapping): { counter: string; telemetry: string }[] {
  const parts = mapping.parts
  if (!parts) return []
  return [parts.counter, parts.scrapCounter]
    .filter((c): c is string => c !== undefined)
    .map((counter) => ({ counter, telemetry: telemetryName(counter, mapping) }))
}

/**
 * The inputs one birth or data message makes for one machine, in the order the machine
 * should take them: its run state, the parts its counters say it made, then its readings.
 * `key` makes each input's messageId (the same message gives the same ids, so a redelivery is
 * absorbed).
 */
export function translate(
  readings: readonly Reading[],
  mapping: MachineMapping,
  memory: MachineMemory,
  topicPrefix: string,
  key: string,
): Translation {
  const problems: string[] = []
  const topic = (leaf: MachineTopicLeaf) => machineTopic(topicPrefix, mapping.machineId, leaf)
  const status: DerivedInput[] = []
  const production: DerivedInput[] = []
  const telemetry = new Map<string, { value: number; at: number }>()
  const byName = new Map(readings.map((r) => [r.name, r]))
  // Numbered per kind: a message seen again whose parts were counted already (none this time)
  // still gives its state and readings the ids they had.
  const ids = (kind: string) => {
    let n = 0
    return () => `${key}:${kind}${n++}`
  }
  const statusId = ids('s')
  const productionId = ids('p')

  remember(byName, mapping.parts?.partId, (v) => (memory.partId = v))
  remember(byName, mapping.parts?.order, (v) => (memory.order = v))
  const reasonAt = reasonsOf(readings, mapping, problems)

  for (const r of readings) {
    if (mapping.state && r.name === mapping.state.metric) {
      const key = String(r.value)
      const values = mapping.state.values
      const state = r.value !== null && Object.hasOwn(values, key) ? values[key] : undefined
      const at = iso(r.timestamp)
      const reason = reasonAt(r.timestamp)
      if (state)
        status.push({
          topic: topic('status'),
          payload: JSON.stringify({
            state,
            at,
            ...(reason ? { reason } : {}),
            messageId: statusId(),
          }),
        })
      else problems.push(`${r.name} = ${String(r.value)} is not in the mapping's state values`)
      continue
    }
    // The reason is part of a status, not a reading.
    if (mapping.reason && r.name === mapping.reason.metric) continue
    const value = typeof r.value === 'boolean' ? Number(r.value) : r.value
    // Text and null readings are not telemetry (it holds numbers).
    if (typeof value === 'number' && Number.isFinite(value))
      telemetry.set(telemetryName(r.name, mapping), { value, at: r.timestamp })
  }

  const parts = mapping.parts
  if (parts) {
    const scrap = parts.scrapCounter === undefined ? undefined : byName.get(parts.scrapCounter)
    if (scrap) memory.scrapPending += increase(memory, scrap, problems)
    const counter = byName.get(parts.counter)
    const made = counter ? increase(memory, counter, problems) : 0
    const partId = fixedOr(parts.partId, memory.partId)
    const order = fixedOr(parts.order, memory.order)
    if (made > 0 && (partId === undefined || order === undefined)) {
      problems.push(
        `${made} parts made, but ${partId === undefined ? 'no part id' : 'no order'} is known yet`,
      )
    } else if (counter && made > 0) {
      const count = Math.min(made, MAX_PARTS_PER_MESSAGE)
      if (made > count)
        problems.push(`${parts.counter} rose by ${made}; ${count} parts reported, the rest dropped`)
      const damaged = Math.min(memory.scrapPending, count)
      memory.scrapPending -= damaged
      for (let i = 0; i < count; i++)
        production.push({
          topic: topic('production'),
          payload: JSON.stringify({
            timeOfProduction: iso(counter.timestamp),
            order,
            partId,
            var5: i < damaged,
            messageId: productionId(),
          }),
        })
    }
  }

  return {
    inputs: [...status, ...production, ...telemetryInputs(topic('telemetry'), telemetry, ids('t'))],
    problems,
  }
}

/**
 * The reason each state change of a message gives: the reason metric's latest value in the
 * same message stamped no later than the change (a device sets the reason, then the state).
 * A value the map has gives its code ('' for none); a text value not in it is the code itself.
 */
function reasonsOf(
  readings: readonly Reading[],
  mapping: MachineMapping,
  problems: string[],
): (at: number) => string | undefined {
  const spec = mapping.reason
  if (!spec) return () => undefined
  const codes: { at: number; code: string | undefined }[] = []
  for (const r of readings) {
    if (r.name !== spec.metric) continue
    const key = String(r.value)
    let code: string | undefined
    if (r.value !== null && Object.hasOwn(spec.valueMap, key))
      code = spec.valueMap[key] || undefined
    else if (typeof r.value === 'string' && r.value.length <= REASON_MAX)
      code = r.value || undefined
    else
      problems.push(
        `${r.name} = ${String(r.value).slice(0, 100)} is not in the mapping's reason values`,
      )
    codes.push({ at: r.timestamp, code })
  }
  return (at) => {
    let found: { at: number; code: string | undefined } | undefined
    for (const c of codes) if (c.at <= at && (!found || c.at >= found.at)) found = c
    return found?.code
  }
}

/** A counter's rise since its baseline (0 the first time, or after it was reset). */
function increase(memory: MachineMemory, r: Reading, problems: string[]): number {
  if (typeof r.value !== 'number' || !Number.isInteger(r.value) || r.value < 0) {
    problems.push(`${r.name} = ${String(r.value)} is not a counter value`)
    return 0
  }
  const before = memory.counters.get(r.name)
  memory.counters.set(r.name, r.value)
  return before === undefined || r.value < before ? 0 : r.value - before
}

function remember(
  byName: ReadonlyMap<string, Reading>,
  source: ValueSource | undefined,
  set: (v: number) => void,
): void {
  if (!source || !('metric' in source)) return
  const v = byName.get(source.metric)?.value
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) set(v)
}

const fixedOr = (source: ValueSource, remembered: number | undefined) =>
  'fixed' in source ? source.fixed : remembered

const iso = (ms: number) => new Date(ms).toISOString()

/** Readings grouped by time, at most 200 a message (the telemetry contract's limit). */
function telemetryInputs(
  topic: string,
  readings: ReadonlyMap<string, { value: number; at: number }>,
  id: () => string,
): DerivedInput[] {
  const byTime = new Map<number, Record<string, number>[]>()
  for (const [name, { value, at }] of readings) {
    const groups = byTime.get(at) ?? []
    let last = groups.at(-1)
    if (!last || Object.keys(last).length >= 200) groups.push((last = {}))
    last[name] = value
    byTime.set(at, groups)
  }
  return [...byTime.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([at, groups]) =>
      groups.map((metrics) => ({
        topic,
        payload: JSON.stringify({ at: iso(at), metrics, messageId: id() }),
      })),
    )
}
