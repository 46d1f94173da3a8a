import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { get } from 'sparkplug-payload'
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js'
import { decodeInput } from '../../../src/domain/inputs'
import { checkMapping, type Mapping } from '../../../src/sparkplug/mapping'
import type { DerivedInput, MachineMemory } from '../../../src/sparkplug/translate'

const codec = get('spBv1.0')!

/** A Sparkplug B payload as an edge node sends it, through Eclipse Tahu's codec. */
export const encode = (p: UPayload): Buffer => Buffer.from(codec.encodePayload(p))

/** One metric for `encode`. */
export const metric = (
  name: string | undefined,
  type: UMetric['type'],
  value: UMetric['value'],
  extra: Partial<UMetric> = {},
): UMetric => ({ ...(name === undefined ? {} : { name }), type, value, ...extra })

export const SIMULATOR_FILE = join(__dirname, '../../../deploy/sparkplug/simulator.json')

/** deploy/sparkplug/simulator.json, parsed. */
export const simulatorJson = (): unknown => JSON.parse(readFileSync(SIMULATOR_FILE, 'utf8'))

/** A mapping that must check ok. */
export function mappingOf(body: unknown): Mapping {
  const checked = checkMapping(body)
  if (!checked.ok) throw new Error(`mapping problems: ${checked.problems.join('; ')}`)
  return checked.mapping
}

/** deploy/sparkplug/simulator.json, checked. */
export const simulatorMapping = (): Mapping => mappingOf(simulatorJson())

export const freshMemory = (): MachineMemory => ({
  counters: new Map(),
  scrapPending: 0,
  partId: undefined,
  order: undefined,
})

export const PREFIX = 'plant'

/** Each input's body, parsed. */
export const bodies = (inputs: readonly DerivedInput[]): Record<string, unknown>[] =>
  inputs.map((i) => JSON.parse(i.payload) as Record<string, unknown>)

const isOffline = (i: DerivedInput) =>
  i.topic.endsWith('/status') && (JSON.parse(i.payload) as { state?: unknown }).state === 'offline'

/**
 * Every input passes the real JSON input contract (an `offline` status only once the contract
 * takes it: it is being added to it).
 */
export function expectContract(inputs: readonly DerivedInput[], prefix = PREFIX): void {
  for (const input of inputs) {
    const r = decodeInput(
      { topic: input.topic, payload: Buffer.from(input.payload) },
      prefix,
      65536,
    )
    if (!r.ok && isOffline(input)) continue
    expect({ topic: input.topic, verdict: r.ok ? 'ok' : r.reason }).toEqual({
      topic: input.topic,
      verdict: 'ok',
    })
  }
}
