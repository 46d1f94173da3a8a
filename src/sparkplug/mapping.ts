import { z } from 'zod'
import { ENTITY_ID } from '../domain/ids.js'
import { MACHINE_COMMANDS, METRIC_NAME, METRIC_NAME_RULE } from '../domain/input-schemas.js'
import { readCheckedJson } from '../json-file.js'
import { REPORTED_RUN_STATES } from '../domain/oee.js'
import type { EdgeAddress } from './topics.js'

/** Where a production report's part id or order comes from: a metric, or a fixed value. */
const source = z.union([
  z.strictObject({ metric: z.string().min(1) }),
  z.strictObject({ fixed: z.number().int().nonnegative() }),
])
export type ValueSource = z.infer<typeof source>

/** A name segment to match: exact, or `*` for any. */
const segment = z
  .string()
  .min(1)
  .regex(/^[^/#+]+$/, 'no / # or + in a name')

/** Longest reason a status input takes. */
export const REASON_MAX = 500

const commandValue = z.union([z.number(), z.boolean(), z.string()])

const rule = z.strictObject({
  match: z.strictObject({ group: segment, edgeNode: segment, device: segment.optional() }),
  machineId: z.string().min(1).max(128),
  state: z
    .strictObject({
      metric: z.string().min(1),
      values: z.record(z.string(), z.enum(REPORTED_RUN_STATES)),
    })
    .optional(),
  /**
   * The metric that says why the machine stopped: its value, through `valueMap`, is a reason
   * code of the plant model's catalogue (an empty code: no reason); a text value not in the map
   * is the code itself.
   */
  reason: z
    .strictObject({
      metric: z.string().min(1),
      valueMap: z.record(z.string(), z.string().max(REASON_MAX)).default({}),
    })
    .optional(),
  parts: z
    .strictObject({
      counter: z.string().min(1),
      scrapCounter: z.string().min(1).optional(),
      partId: source,
      order: source.default({ fixed: 0 }),
    })
    .optional(),
  telemetry: z.record(z.string(), z.string().regex(METRIC_NAME, METRIC_NAME_RULE)).default({}),
  commands: z
    .partialRecord(
      z.enum(MACHINE_COMMANDS),
      z.strictObject({ metric: z.string().min(1), value: commandValue }),
    )
    .default({}),
})

const mappingSchema = z.strictObject({
  machines: z.array(rule).default([]),
  /** Edge nodes and devices no rule matches: kept as telemetry-only machines, or ignored. */
  unmapped: z.enum(['telemetry', 'ignore']).default('telemetry'),
})

export type MachineRule = z.infer<typeof rule>
export type MappingFile = z.infer<typeof mappingSchema>

/** What one edge node or device is: a machine, and what its metrics mean. */
export type MachineMapping = Omit<MachineRule, 'match' | 'machineId'> & { machineId: string }

export type LoadedMapping = { ok: true; mapping: Mapping } | { ok: false; problems: string[] }

const PLACEHOLDER = /\{([^}]*)\}/g

/**
 * Which edge node or device is which machine. Rules are tried in order and the first that
 * matches names the machine; a machine id template may use `{group}`, `{edgeNode}` and
 * `{device}`.
 */
export class Mapping {
  constructor(private readonly file: MappingFile) {}

  static readonly EMPTY = new Mapping(mappingSchema.parse({}))

  /** The mapping of an edge node (no device) or a device; undefined when it is ignored. */
  resolve(address: EdgeAddress): MachineMapping | undefined {
    for (const r of this.file.machines) {
      if (!matches(r, address)) continue
      // A name may hold what an id cannot: each such character becomes `_`.
      const id = asMachineId(fill(r.machineId, address))
      return {
        machineId: id,
        telemetry: r.telemetry,
        commands: r.commands,
        ...(r.state ? { state: r.state } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.parts ? { parts: r.parts } : {}),
      }
    }
    if (this.file.unmapped === 'ignore') return undefined
    return { machineId: unmappedId(address), telemetry: {}, commands: {} }
  }
}

function matches(r: MachineRule, a: EdgeAddress): boolean {
  const is = (pattern: string, value: string) => pattern === '*' || pattern === value
  if (!is(r.match.group, a.group) || !is(r.match.edgeNode, a.edgeNode)) return false
  if (r.match.device === undefined || a.device === undefined) return r.match.device === a.device
  return is(r.match.device, a.device)
}

const fill = (template: string, a: EdgeAddress): string =>
  template.replace(PLACEHOLDER, (_, name: string) =>
    name === 'group' ? a.group : name === 'edgeNode' ? a.edgeNode : (a.device ?? ''),
  )

/** A machine id made of the names, with what a machine id cannot hold replaced by `_`. */
function unmappedId(a: EdgeAddress): string {
  return asMachineId(a.device === undefined ? a.edgeNode : `${a.edgeNode}.${a.device}`)
}

const asMachineId = (text: string): string =>
  text.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 128) || '_'

/** Reads and checks a mapping file, listing every problem at once. */
export function loadMapping(path: string): Promise<LoadedMapping> {
  return readCheckedJson(path, checkMapping)
}

/** Checks a parsed mapping: the schema, then what the schema cannot say. */
export function checkMapping(body: unknown): LoadedMapping {
  const parsed = mappingSchema.safeParse(body)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`,
      ),
    }
  }
  const problems = parsed.data.machines.flatMap((r, i) => ruleProblems(r, `machines.${i}`))
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, mapping: new Mapping(parsed.data) }
}

function ruleProblems(r: MachineRule, at: string): string[] {
  const problems: string[] = []
  const used = new Set([...r.machineId.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))
  for (const name of used) {
    if (name !== 'group' && name !== 'edgeNode' && name !== 'device')
      problems.push(
        `${at}.machineId: unknown placeholder {${name}} (use {group}, {edgeNode}, {device})`,
      )
    else if (name === 'device' && r.match.device === undefined)
      problems.push(`${at}.machineId: {device} in a rule for edge nodes (it has no match.device)`)
  }
  const wild = (['group', 'edgeNode', 'device'] as const).some((k) => r.match[k] === '*')
  if (wild && used.size === 0)
    problems.push(
      `${at}.machineId: the rule matches many sources with "*", but the id has no placeholder, so all would be one machine`,
    )
  const sample = fill(r.machineId, { group: 'g', edgeNode: 'n', device: 'd' })
  if (!ENTITY_ID.test(sample))
    problems.push(
      `${at}.machineId: "${r.machineId}" does not make a machine id (1-128 of A-Z a-z 0-9 . _ : -, besides the placeholders)`,
    )
  for (const key of Object.keys(r.state?.values ?? {}))
    if (key.trim() === '') problems.push(`${at}.state.values: an empty value`)
  if (r.reason && !r.state)
    problems.push(`${at}.reason: a reason goes with a state change, so it needs state too`)
  if (r.reason && r.reason.metric === r.state?.metric)
    problems.push(`${at}.reason.metric: the same metric as state.metric`)
  if (r.parts && r.parts.scrapCounter === r.parts.counter)
    problems.push(`${at}.parts.scrapCounter: the same metric as parts.counter`)
  return problems
}
