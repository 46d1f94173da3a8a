import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkMapping, loadMapping, Mapping } from '../../../src/sparkplug/mapping'
import { SIM_REASON_CODES } from '../../../src/simulate/reasons'
import { mappingOf, SIMULATOR_FILE, simulatorJson, simulatorMapping } from './support'

const problemsOf = (body: unknown): string[] => {
  const r = checkMapping(body)
  return r.ok ? [] : r.problems
}

const SIM_M7 = { group: 'millstream-sim', edgeNode: 'line-1', device: 'M-7' }

const simulatorM7 = {
  machineId: 'M-7',
  state: {
    metric: 'Status/RunState',
    values: { '0': 'idle', '1': 'running', '2': 'down', '3': 'maintenance' },
  },
  reason: {
    metric: 'Status/StopReason',
    valueMap: Object.fromEntries([
      ['0', ''],
      ...SIM_REASON_CODES.map((c, i) => [String(i + 1), c]),
    ]),
  },
  parts: {
    counter: 'Production/PartCount',
    scrapCounter: 'Production/ScrapCount',
    partId: { metric: 'Production/PartId' },
    order: { metric: 'Production/Order' },
  },
  telemetry: {
    'Sensors/Temperature': 'temperature',
    'Sensors/SpindleSpeed': 'spindleSpeed',
    'Sensors/Vibration': 'vibration',
    'Sensors/Power': 'power',
  },
  commands: {
    'maintenance-start': { metric: 'Maintenance/Active', value: true },
    'maintenance-end': { metric: 'Maintenance/Active', value: false },
  },
}

describe('deploy/sparkplug/simulator.json', () => {
  it('checks ok, read from its file', async () => {
    expect(problemsOf(simulatorJson())).toEqual([])
    expect(await loadMapping(SIMULATOR_FILE)).toEqual({ ok: true, mapping: expect.any(Mapping) })
  })

  it('resolves millstream-sim/line-1/M-7 to machine M-7 with its state, parts and telemetry', () => {
    const mapping = simulatorMapping()
    expect(mapping.resolve(SIM_M7)).toEqual(simulatorM7)
    expect(mapping.resolve({ ...SIM_M7, edgeNode: 'line-2', device: 'M-12' })?.machineId).toBe(
      'M-12',
    )
    // The edge node itself: no rule for it, so a telemetry-only machine of its name.
    expect(mapping.resolve({ group: 'millstream-sim', edgeNode: 'line-1' })).toEqual({
      machineId: 'line-1',
      telemetry: {},
      commands: {},
    })
    // Another group: no rule either.
    expect(mapping.resolve({ ...SIM_M7, group: 'other' })?.machineId).toBe('line-1.M-7')
  })
})

describe('checkMapping: a reason metric', () => {
  const rule = (extra: Record<string, unknown>) => ({
    machines: [{ match: { group: 'g', edgeNode: 'n' }, machineId: 'm1', ...extra }],
  })
  const state = { metric: 'State', values: { '1': 'running', '2': 'down' } }

  it('takes a reason metric with a value map beside a state metric', () => {
    const r = checkMapping(
      rule({ state, reason: { metric: 'StopReason', valueMap: { '0': '', '7': 'BRK-TOOL' } } }),
    )
    expect(r.ok && r.mapping.resolve({ group: 'g', edgeNode: 'n' })?.reason).toEqual({
      metric: 'StopReason',
      valueMap: { '0': '', '7': 'BRK-TOOL' },
    })
  })

  it('refuses a reason without a state, on the state metric, or a code past 500 characters', () => {
    expect(problemsOf(rule({ reason: { metric: 'StopReason' } }))).toEqual([
      'machines.0.reason: a reason goes with a state change, so it needs state too',
    ])
    expect(problemsOf(rule({ state, reason: { metric: 'State' } }))).toEqual([
      'machines.0.reason.metric: the same metric as state.metric',
    ])
    expect(
      problemsOf(rule({ state, reason: { metric: 'R', valueMap: { '1': 'x'.repeat(501) } } })),
    ).toHaveLength(1)
  })
})

describe('loadMapping', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sp-mapping-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('says when the file cannot be read', async () => {
    const path = join(dir, 'missing.json')
    expect(await loadMapping(path)).toEqual({
      ok: false,
      problems: [expect.stringContaining(`cannot read ${path}: `)],
    })
  })

  it('says when the file is not JSON', async () => {
    const path = join(dir, 'bad.json')
    await writeFile(path, '{ machines: [] }')
    expect(await loadMapping(path)).toEqual({
      ok: false,
      problems: [expect.stringContaining(`${path} is not JSON: `)],
    })
  })

  it('checks what it read', async () => {
    const path = join(dir, 'wrong.json')
    await writeFile(path, JSON.stringify({ unmapped: 'drop' }))
    expect(await loadMapping(path)).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^unmapped: /)],
    })
  })
})

describe('checkMapping: the schema', () => {
  it('takes an empty file: no rules, unmapped sources kept as telemetry', () => {
    const mapping = mappingOf({})
    expect(mapping.resolve({ group: 'g', edgeNode: 'n', device: 'd' })).toEqual({
      machineId: 'n.d',
      telemetry: {},
      commands: {},
    })
  })

  it('fills the defaults: order 0, no telemetry names, no commands', () => {
    const mapping = mappingOf({
      machines: [
        {
          match: { group: 'g', edgeNode: 'n' },
          machineId: 'press-1',
          parts: { counter: 'Count', partId: { fixed: 4 } },
        },
      ],
    })
    expect(mapping.resolve({ group: 'g', edgeNode: 'n' })).toEqual({
      machineId: 'press-1',
      parts: { counter: 'Count', partId: { fixed: 4 }, order: { fixed: 0 } },
      telemetry: {},
      commands: {},
    })
  })

  it('says where the file is not an object', () => {
    expect(problemsOf([])).toEqual([expect.stringMatching(/^\(file\): /)])
    expect(problemsOf('x')).toEqual([expect.stringMatching(/^\(file\): /)])
  })

  it('lists every schema problem, each with its path', () => {
    const problems = problemsOf({
      machines: [
        {
          match: { group: 'a/b', edgeNode: '' },
          machineId: 'm',
          state: { metric: 'S', values: { '1': 'offline' } },
        },
        {
          match: { group: 'g', edgeNode: 'n', line: 'x' },
          parts: { counter: 'C', partId: { fixed: -1 } },
          telemetry: { T: 'has space' },
          commands: { reboot: { metric: 'R', value: true } },
        },
      ],
      unmapped: 'drop',
      extra: 1,
    })
    const paths = problems.map((p) => p.slice(0, p.indexOf(': ')))
    expect(paths).toEqual(
      expect.arrayContaining([
        'machines.0.match.group',
        'machines.0.match.edgeNode',
        'machines.0.state.values.1',
        'machines.1.match',
        'machines.1.machineId',
        'machines.1.parts.partId.fixed',
        'machines.1.telemetry.T',
        'machines.1.commands',
        'unmapped',
        '(file)',
      ]),
    )
    expect(problems.find((p) => p.startsWith('machines.0.match.group'))).toMatch(/no \/ # or \+/)
  })

  it('takes no "+" or "#" in a match (MQTT wildcards are not names)', () => {
    for (const bad of ['+', '#', 'a+b'])
      expect(
        problemsOf({ machines: [{ match: { group: bad, edgeNode: 'n' }, machineId: 'm' }] }),
      ).toEqual([expect.stringMatching(/^machines\.0\.match\.group: no \/ # or \+/)])
  })
})

describe('checkMapping: what the schema cannot say', () => {
  const rule = (over: Record<string, unknown>) => ({
    match: { group: 'g', edgeNode: 'n' },
    machineId: 'm',
    ...over,
  })

  it('takes rules with wildcards whose names are in the machine id', () => {
    expect(
      problemsOf({
        machines: [
          rule({ match: { group: '*', edgeNode: '*' }, machineId: '{group}.{edgeNode}' }),
          rule({ match: { group: 'g', edgeNode: 'n', device: '*' }, machineId: 'n-{device}' }),
          rule({ match: { group: 'g', edgeNode: 'n', device: 'd' }, machineId: '{device}' }),
          // The simulator's kind: device ids unique across the edge nodes.
          rule({ match: { group: 'g', edgeNode: '*', device: '*' }, machineId: '{device}' }),
        ],
      }),
    ).toEqual([])
  })

  it('names an unknown placeholder', () => {
    expect(problemsOf({ machines: [rule({ machineId: 'x-{node}' })] })).toEqual([
      'machines.0.machineId: unknown placeholder {node} (use {group}, {edgeNode}, {device})',
    ])
    expect(problemsOf({ machines: [rule({ machineId: 'x-{}' })] })).toEqual([
      expect.stringContaining('unknown placeholder {}'),
    ])
  })

  it('names {device} in a rule for edge nodes', () => {
    expect(problemsOf({ machines: [rule({ machineId: '{edgeNode}-{device}' })] })).toEqual([
      'machines.0.machineId: {device} in a rule for edge nodes (it has no match.device)',
    ])
  })

  it.each(['group', 'edgeNode', 'device'] as const)(
    'names a "*" %s in a rule whose machine id has no placeholder',
    (k) => {
      const match = { group: 'g', edgeNode: 'n', device: 'd', [k]: '*' }
      expect(problemsOf({ machines: [rule({ match, machineId: 'press-1' })] })).toEqual([
        'machines.0.machineId: the rule matches many sources with "*", but the id has no placeholder, so all would be one machine',
      ])
    },
  )

  it('names the same metric as part and scrap counter', () => {
    expect(
      problemsOf({
        machines: [rule({ parts: { counter: 'C', scrapCounter: 'C', partId: { fixed: 1 } } })],
      }),
    ).toEqual(['machines.0.parts.scrapCounter: the same metric as parts.counter'])
  })

  it('names a fixed machine id that is not one, and an empty state value', () => {
    expect(
      problemsOf({
        machines: [
          rule({ machineId: 'press 1' }),
          rule({ state: { metric: 'S', values: { ' ': 'idle', '1': 'running' } } }),
        ],
      }),
    ).toEqual([
      'machines.0.machineId: "press 1" does not make a machine id (1-128 of A-Z a-z 0-9 . _ : -, besides the placeholders)',
      'machines.1.state.values: an empty value',
    ])
  })

  it('lists every problem of every rule at once', () => {
    const problems = problemsOf({
      machines: [
        rule({ machineId: '{edgeNode}-{device}-{line}' }),
        rule({ match: { group: '*', edgeNode: 'n' }, machineId: 'm' }),
        rule({ parts: { counter: 'C', scrapCounter: 'C', partId: { fixed: 1 } } }),
      ],
    })
    expect(problems).toEqual([
      expect.stringMatching(/^machines\.0\.machineId: \{device\} in a rule for edge nodes/),
      expect.stringMatching(/^machines\.0\.machineId: unknown placeholder \{line\}/),
      expect.stringMatching(/^machines\.1\.machineId: the rule matches many sources with "\*"/),
      'machines.2.parts.scrapCounter: the same metric as parts.counter',
    ])
  })

  // A template whose own text can never be in a machine id is named at start, not dropped at run time.
  it('names a machine id template whose own text is not allowed in a machine id', () => {
    const body = {
      machines: [rule({ match: { group: 'g', edgeNode: '*' }, machineId: 'press {edgeNode}' })],
    }
    expect(problemsOf(body)).toEqual([expect.stringContaining('machines.0.machineId')])
  })
})

describe('Mapping.resolve', () => {
  const mapping = mappingOf({
    machines: [
      { match: { group: 'g', edgeNode: 'n1', device: 'special' }, machineId: 'special-one' },
      {
        match: { group: 'g', edgeNode: '*', device: '*' },
        machineId: '{group}.{edgeNode}.{device}',
      },
      { match: { group: 'g', edgeNode: 'n1' }, machineId: 'node-one' },
      { match: { group: '*', edgeNode: '*' }, machineId: '{group}:{edgeNode}' },
    ],
  })

  it('takes the first rule that matches', () => {
    expect(mapping.resolve({ group: 'g', edgeNode: 'n1', device: 'special' })?.machineId).toBe(
      'special-one',
    )
    expect(mapping.resolve({ group: 'g', edgeNode: 'n1', device: 'other' })?.machineId).toBe(
      'g.n1.other',
    )
  })

  it('matches node rules to edge nodes only and device rules to devices only', () => {
    expect(mapping.resolve({ group: 'g', edgeNode: 'n1' })?.machineId).toBe('node-one')
    expect(mapping.resolve({ group: 'g', edgeNode: 'n2' })?.machineId).toBe('g:n2')
    expect(mapping.resolve({ group: 'h', edgeNode: 'n1' })?.machineId).toBe('h:n1')
    // No device rule matches group h: not the node rules either, so an unmapped device.
    expect(mapping.resolve({ group: 'h', edgeNode: 'n1', device: 'd' })).toEqual({
      machineId: 'n1.d',
      telemetry: {},
      commands: {},
    })
  })

  it('matches names exactly (case too)', () => {
    expect(mapping.resolve({ group: 'G', edgeNode: 'n1', device: 'special' })?.machineId).toBe(
      'n1.special',
    )
    expect(mapping.resolve({ group: 'g', edgeNode: 'N1' })?.machineId).toBe('g:N1')
  })

  it('gives an unmapped source a telemetry-only machine, what an id cannot hold as "_"', () => {
    const empty = mappingOf({ machines: [] })
    expect(empty.resolve({ group: 'g', edgeNode: 'line 1', device: 'Prèss#7' })).toEqual({
      machineId: 'line_1.Pr_ss_7',
      telemetry: {},
      commands: {},
    })
    expect(empty.resolve({ group: 'g', edgeNode: 'cell:3.a-b_c' })?.machineId).toBe('cell:3.a-b_c')
    expect(Mapping.EMPTY.resolve({ group: 'g', edgeNode: 'n', device: 'd' })?.machineId).toBe('n.d')
  })

  it('cuts an unmapped machine id to 128 characters', () => {
    const id = mappingOf({}).resolve({
      group: 'g',
      edgeNode: 'n'.repeat(100),
      device: 'd'.repeat(100),
    })?.machineId
    expect(id).toBe(`${'n'.repeat(100)}.${'d'.repeat(27)}`)
  })

  it('ignores unmapped sources when the file says so, still mapping the rest', () => {
    const ignoring = mappingOf({
      machines: [{ match: { group: 'g', edgeNode: 'n' }, machineId: 'm' }],
      unmapped: 'ignore',
    })
    expect(ignoring.resolve({ group: 'g', edgeNode: 'other' })).toBeUndefined()
    expect(ignoring.resolve({ group: 'g', edgeNode: 'n', device: 'd' })).toBeUndefined()
    expect(ignoring.resolve({ group: 'g', edgeNode: 'n' })?.machineId).toBe('m')
  })
})
