import { ENTITY_ID } from './ids.js'

/**
 * The MQTT topics millstream reads, built and parsed in this one place:
 * `{prefix}/machines/{id}/{production|status|telemetry|commands}`, `{prefix}/parts/{partId}/info`,
 * `{prefix}/materials/{id}`, and the legacy `supply-chain`.
 */

/** The leaves of a machine's topics, each one kind of input. */
export const MACHINE_TOPIC_LEAVES = ['production', 'status', 'telemetry', 'commands'] as const

export type MachineTopicLeaf = (typeof MACHINE_TOPIC_LEAVES)[number]

/** The legacy topic: production reports with the machine id in the body. */
export const LEGACY_PRODUCTION_TOPIC = 'supply-chain'

/** Which entity and input a topic addresses. */
export type Route =
  | { kind: MachineTopicLeaf; machineId: string }
  | { kind: 'part-info'; partId: number }
  | { kind: 'material'; materialId: string }
  | { kind: 'legacy-production' }

/** A machine's topic for one kind of input. */
export function machineTopic(prefix: string, machineId: string, leaf: MachineTopicLeaf): string {
  return `${prefix}/machines/${machineId}/${leaf}`
}

/** The filter that matches every topic of one machine. */
export function machineTopicFilter(prefix: string, machineId: string): string {
  return `${prefix}/machines/${machineId}/#`
}

/** A part's reference-data topic. */
export function partInfoTopic(prefix: string, partId: number | string): string {
  return `${prefix}/parts/${partId}/info`
}

/** A material's price topic. */
export function materialTopic(prefix: string, materialId: string): string {
  return `${prefix}/materials/${materialId}`
}

const SLASH = 0x2f
const PART_ID = /^\d{1,15}$/
const LEAVES: ReadonlySet<string> = new Set(MACHINE_TOPIC_LEAVES)

function isMachineLeaf(leaf: string): leaf is MachineTopicLeaf {
  return LEAVES.has(leaf)
}

/**
 * Which entity and input a topic addresses, or undefined when the pipeline does not read it:
 * `supply-chain`, `{prefix}/machines/{id}/{production|status|telemetry|commands}`,
 * `{prefix}/parts/{digits}/info` or `{prefix}/materials/{id}`, with no further segment.
 */
export function routeTopic(topic: string, prefix: string): Route | undefined {
  if (topic === LEGACY_PRODUCTION_TOPIC) return { kind: 'legacy-production' }
  if (!topic.startsWith(prefix) || topic.charCodeAt(prefix.length) !== SLASH) return undefined
  // {kind}/{id}[/{leaf}] after the prefix, found without splitting.
  const start = prefix.length + 1
  const afterKind = topic.indexOf('/', start)
  if (afterKind < 0) return undefined
  const afterId = topic.indexOf('/', afterKind + 1)
  if (afterId >= 0 && topic.indexOf('/', afterId + 1) >= 0) return undefined
  const id = topic.slice(afterKind + 1, afterId < 0 ? topic.length : afterId)
  if (!ENTITY_ID.test(id)) return undefined
  const kind = topic.slice(start, afterKind)
  if (afterId < 0) return kind === 'materials' ? { kind: 'material', materialId: id } : undefined
  const leaf = topic.slice(afterId + 1)
  if (kind === 'machines') {
    return isMachineLeaf(leaf) ? { kind: leaf, machineId: id } : undefined
  }
  if (kind === 'parts' && leaf === 'info' && PART_ID.test(id)) {
    return { kind: 'part-info', partId: Number(id) }
  }
  return undefined
}
