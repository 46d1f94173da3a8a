import { format, table } from '../lib/table'
import type { Target } from '../lib/types'
import type { SparkplugResult } from './index'

/** The Sparkplug part as console lines. */
export function sparkplugReport(r: SparkplugResult): string {
  const row = (name: string, p: SparkplugResult['json']) => [
    name,
    p.perSecond,
    p.inputsPerMessage,
    p.cores.service ?? 0,
    p.cores.load ?? 0,
    p.published,
    p.lost,
  ]
  return [
    `Sparkplug B: ${r.devices} devices, ${r.devicesPerNode} to an edge node, DDATA of one part and one reading each, QoS 1, closed loop`,
    table(
      [
        'end to end (part committed)',
        'messages/s',
        'inputs/message',
        'service cores',
        'load cores',
        'published',
        'lost',
      ],
      [
        row(`JSON production reports, ${r.devices} machines`, r.json),
        row(`Sparkplug DDATA, ${r.devices} devices`, r.sparkplug),
      ],
    ),
    `DDATA / JSON: ${format(r.ratio)}×; the host asked any edge node on the broker for ${r.sparkplug.rebirthRequests} rebirths and dead-lettered ${r.sparkplug.deadLetters} messages.`,
  ].join('\n')
}

export function sparkplugTargets(r: SparkplugResult): Target[] {
  return [
    {
      what: 'Sparkplug: nothing lost',
      goal: 'every acknowledged DDATA its part committed',
      measured: `${format(r.sparkplug.published)} published, ${format(r.sparkplug.lost)} lost`,
      met: r.sparkplug.lost === 0,
    },
  ]
}

/** What makes the part's run invalid whatever its speed. */
export function sparkplugProblems(r: SparkplugResult): string[] {
  const found: string[] = []
  if (r.json.perSecond <= 0) found.push('sparkplug: the JSON load committed nothing')
  if (r.sparkplug.perSecond <= 0) found.push('sparkplug: the DDATA load committed nothing')
  if (r.json.lost > 0) found.push(`sparkplug: ${r.json.lost} JSON messages lost`)
  if (r.sparkplug.lost > 0) found.push(`sparkplug: ${r.sparkplug.lost} DDATA lost`)
  for (const [name, p] of [
    ['JSON messages', r.json],
    ['DDATA', r.sparkplug],
  ] as const)
    if (p.committed > p.published)
      found.push(`sparkplug: ${p.committed} parts committed for ${p.published} ${name}`)
  if (r.sparkplug.deadLetters > 0)
    found.push(`sparkplug: the host dead-lettered ${r.sparkplug.deadLetters} messages`)
  return found
}
