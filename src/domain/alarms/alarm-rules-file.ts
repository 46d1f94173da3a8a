import { z } from 'zod'
import { RUN_STATES } from '../oee.js'
import type { MachineRules } from '../rules.js'
import { SEVERITIES, type AlarmRule } from './alarm-rule.js'

const seconds = z
  .number()
  .min(0)
  .max(7 * 86_400)
const common = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64)'),
  severity: z.enum(SEVERITIES),
  machines: z
    .array(z.string().regex(/^[A-Za-z0-9._*:-]{1,128}$/, 'a machine id or a pattern with *'))
    .max(1000)
    .default([]),
  message: z.string().min(1).max(500).optional(),
}

/** One rule as the file writes it: times in seconds, a threshold's side by its key. */
const ruleSchema = z.discriminatedUnion('kind', [
  z
    .strictObject({
      ...common,
      kind: z.literal('threshold'),
      metric: z.string().min(1).max(128),
      above: z.number().optional(),
      below: z.number().optional(),
      deadband: z.number().min(0).default(0),
      onDelaySeconds: seconds.default(0),
      offDelaySeconds: seconds.default(0),
    })
    .refine((r) => (r.above === undefined) !== (r.below === undefined), {
      message: 'a threshold rule has exactly one of `above` and `below`',
    }),
  z.strictObject({
    ...common,
    kind: z.literal('state-duration'),
    state: z.enum(RUN_STATES),
    forSeconds: seconds,
  }),
  z.strictObject({ ...common, kind: z.literal('silent'), afterSeconds: seconds.min(1) }),
  z.strictObject({
    ...common,
    kind: z.literal('scrap-rate'),
    threshold: z.number().min(0).max(1),
    minParts: z.number().int().min(1).default(1),
  }),
])

/** The rules file: `{ "rules": [ … ] }`, at most 1,000 rules. */
export const alarmRulesFileSchema = z.strictObject({ rules: z.array(ruleSchema).max(1000) })

/** A rules file's rules, or every problem found in it. */
export type CheckedRules = { ok: true; rules: AlarmRule[] } | { ok: false; problems: string[] }

/** Checks a parsed rules file: the schema, then what it cannot say (ids unique). */
export function checkAlarmRules(body: unknown): CheckedRules {
  const parsed = alarmRulesFileSchema.safeParse(body)
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (i) => `${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`,
      ),
    }
  }
  const seen = new Set<string>()
  const problems: string[] = []
  parsed.data.rules.forEach((r, i) => {
    if (seen.has(r.id)) problems.push(`rules.${i}.id: ${r.id} is the id of an earlier rule`)
    seen.add(r.id)
  })
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, rules: parsed.data.rules.map(toRule) }
}

type FileRule = z.output<typeof ruleSchema>

function toRule(r: FileRule): AlarmRule {
  const base = { id: r.id, severity: r.severity, machines: r.machines, message: r.message ?? null }
  switch (r.kind) {
    case 'threshold':
      return {
        ...base,
        kind: 'threshold',
        metric: r.metric,
        direction: r.above === undefined ? 'below' : 'above',
        limit: r.above ?? r.below ?? 0,
        deadband: r.deadband,
        onDelayMs: r.onDelaySeconds * 1000,
        offDelayMs: r.offDelaySeconds * 1000,
      }
    case 'state-duration':
      return { ...base, kind: 'state-duration', state: r.state, forMs: r.forSeconds * 1000 }
    case 'silent':
      return { ...base, kind: 'silent', afterMs: r.afterSeconds * 1000 }
    case 'scrap-rate':
      return { ...base, kind: 'scrap-rate', threshold: r.threshold, minParts: r.minParts }
  }
}

/**
 * The rules in force when no file is given: the two alerts machines always had, silence past
 * the heartbeat timeout and the scrap rate over its threshold, as rules of their own ids.
 */
export function builtInAlarmRules(rules: MachineRules): AlarmRule[] {
  const base = { machines: [], message: null }
  return [
    { ...base, id: 'silent', kind: 'silent', severity: 'major', afterMs: rules.heartbeatTimeoutMs },
    {
      ...base,
      id: 'scrap-rate',
      kind: 'scrap-rate',
      severity: 'minor',
      threshold: rules.scrapRateThreshold,
      minParts: rules.scrapRateMinParts,
    },
  ]
}
