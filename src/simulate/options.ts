import { parseArgs } from 'node:util'

/** How the plant speaks Sparkplug B: its group, and how many machines each edge node holds. */
export type SparkplugArgs = { group: string; devicesPerNode: number }

/** What `millstream simulate` is asked to do. */
export type SimulateArgs = {
  machines: number
  /** Simulated seconds per real second. */
  speed: number
  /** Real seconds to run; 0 runs until stopped. */
  durationSeconds: number
  /** The fleet's mean share of parts scrapped, 0..1. */
  scrapShare: number
  /** Parts per simulated second per machine, overriding the parts' own cycle times. */
  rate: number | undefined
  seed: number
  /** Mean running time between failures, and mean time to repair, in simulated seconds. */
  mtbfSeconds: number
  mttrSeconds: number
  /** Real minutes of the plant's past to play first, stamped in the past, as fast as it goes. */
  historyMinutes: number
  /** Set: machines are Sparkplug B devices of edge nodes instead of JSON machine topics. */
  sparkplug: SparkplugArgs | undefined
  /** Set: write the plant model of this plant to this file (`-`: print it) and exit. */
  plantModelOut: string | undefined
  /** The machines ignore the shift calendar: no breaks, no time off (the model has none). */
  roundTheClock: boolean
}

export type ParsedArgs = { ok: true; args: SimulateArgs } | { ok: false; problem: string }

const NUMBERS = {
  machines: { type: 'string', default: '20' },
  speed: { type: 'string', default: '1' },
  duration: { type: 'string', default: '0' },
  scrap: { type: 'string', default: '0.02' },
  rate: { type: 'string' },
  seed: { type: 'string', default: '1' },
  mtbf: { type: 'string', default: '45' },
  mttr: { type: 'string', default: '4' },
  history: { type: 'string', default: '0' },
  // No default here: given without --sparkplug it is refused, so it must be told from absent.
  'devices-per-node': { type: 'string' },
} as const

const OPTIONS = {
  ...NUMBERS,
  sparkplug: { type: 'boolean', default: false },
  group: { type: 'string' },
  'plant-model-out': { type: 'string' },
  'round-the-clock': { type: 'boolean', default: false },
} as const

type Name = keyof typeof NUMBERS

const DEFAULT_GROUP = 'millstream-sim'
const DEFAULT_DEVICES_PER_NODE = 10
/** A Sparkplug id is one topic level: no separator, no wildcard. */
const SPARKPLUG_ID = /^[^/+#]+$/

/** Each option's rule, and how it reads when broken. */
const RULES: Record<Name, { ok: (x: number) => boolean; says: string }> = {
  machines: {
    ok: (x) => Number.isInteger(x) && x >= 1 && x <= 100_000,
    says: 'a whole number 1..100000',
  },
  speed: { ok: (x) => x > 0 && x <= 100_000, says: 'a number > 0' },
  duration: { ok: (x) => x >= 0, says: 'seconds >= 0' },
  scrap: { ok: (x) => x >= 0 && x <= 1, says: 'a share 0..1' },
  rate: { ok: (x) => x > 0, says: 'parts per second > 0' },
  seed: { ok: (x) => Number.isSafeInteger(x) && x >= 0, says: 'a whole number >= 0' },
  mtbf: { ok: (x) => x > 0, says: 'minutes > 0' },
  mttr: { ok: (x) => x > 0, says: 'minutes > 0' },
  history: { ok: (x) => x >= 0 && x <= 7 * 24 * 60, says: 'minutes 0..10080' },
  'devices-per-node': {
    ok: (x) => Number.isInteger(x) && x >= 1 && x <= 10_000,
    says: 'a whole number 1..10000',
  },
}

/** Reads the command line of `simulate`; every problem is reported at once. */
export function parseSimulateArgs(argv: string[]): ParsedArgs {
  let values: Partial<Record<Name | 'group' | 'plant-model-out', string>> & {
    sparkplug?: boolean
    'round-the-clock'?: boolean
  }
  try {
    values = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values
  } catch (err) {
    return { ok: false, problem: (err as Error).message }
  }
  const numbers: Partial<Record<Name, number>> = {}
  const problems: string[] = []
  for (const name of Object.keys(NUMBERS) as Name[]) {
    const text = values[name]
    if (text === undefined) continue
    const x = text.trim() === '' ? Number.NaN : Number(text)
    if (!Number.isFinite(x) || !RULES[name].ok(x))
      problems.push(`--${name} ${text}: ${RULES[name].says}`)
    else numbers[name] = x
  }
  problems.push(...sparkplugProblems(values, numbers.history ?? 0))
  if (values['plant-model-out'] === '') problems.push('--plant-model-out: a file name, or -')
  if (problems.length > 0)
    return { ok: false, problem: `invalid simulate options: ${problems.join('; ')}` }
  const n = (name: Exclude<Name, 'rate' | 'devices-per-node'>) => numbers[name] as number
  return {
    ok: true,
    args: {
      machines: n('machines'),
      speed: n('speed'),
      durationSeconds: n('duration'),
      scrapShare: n('scrap'),
      rate: numbers.rate,
      seed: n('seed'),
      mtbfSeconds: n('mtbf') * 60,
      mttrSeconds: n('mttr') * 60,
      historyMinutes: n('history'),
      sparkplug: values.sparkplug
        ? {
            group: values.group ?? DEFAULT_GROUP,
            devicesPerNode: numbers['devices-per-node'] ?? DEFAULT_DEVICES_PER_NODE,
          }
        : undefined,
      plantModelOut: values['plant-model-out'],
      roundTheClock: values['round-the-clock'] ?? false,
    },
  }
}

function sparkplugProblems(
  values: { sparkplug?: boolean; group?: string; 'devices-per-node'?: string },
  historyMinutes: number,
): string[] {
  if (!values.sparkplug) {
    const given = (['group', 'devices-per-node'] as const).filter((k) => values[k] !== undefined)
    return given.map((k) => `--${k} needs --sparkplug`)
  }
  const problems: string[] = []
  if (values.group !== undefined && !SPARKPLUG_ID.test(values.group))
    problems.push(`--group ${values.group}: a Sparkplug group id, without / + #`)
  // A birth carries a device's current values, so a past played after it would contradict it.
  if (historyMinutes > 0)
    problems.push('--history cannot be used with --sparkplug: Sparkplug births carry the present')
  return problems
}
