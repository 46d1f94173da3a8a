/** The Sparkplug B namespace this host speaks. */
export const NAMESPACE = 'spBv1.0'

export const MESSAGE_TYPES = [
  'NBIRTH',
  'NDEATH',
  'DBIRTH',
  'DDEATH',
  'NDATA',
  'DDATA',
  'NCMD',
  'DCMD',
] as const

export type MessageType = (typeof MESSAGE_TYPES)[number]

/** Where a message comes from: an edge node, and a device of it for the D… messages. */
export type EdgeAddress = { group: string; edgeNode: string; device?: string }

export type SparkplugTopic =
  ({ kind: 'edge'; type: MessageType } & EdgeAddress) | { kind: 'state'; hostId: string }

const TYPES: ReadonlySet<string> = new Set(MESSAGE_TYPES)

/**
 * Reads `spBv1.0/{group}/{type}/{edgeNode}[/{device}]` and `spBv1.0/STATE/{hostId}`; undefined
 * for anything else (a wrong namespace, an unknown type, a device on a node message).
 */
export function parseTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/')
  if (parts[0] !== NAMESPACE) return undefined
  if (parts[1] === 'STATE') {
    return parts.length === 3 && parts[2] ? { kind: 'state', hostId: parts[2] } : undefined
  }
  const [, group, type, edgeNode, device, ...rest] = parts
  if (!group || !type || !edgeNode || rest.length > 0 || !TYPES.has(type)) return undefined
  const onDevice = type.startsWith('D')
  if (onDevice !== (device !== undefined) || device === '') return undefined
  return {
    kind: 'edge',
    type: type as MessageType,
    group,
    edgeNode,
    ...(device === undefined ? {} : { device }),
  }
}

export function edgeTopic(type: MessageType, address: EdgeAddress): string {
  const tail = address.device === undefined ? '' : `/${address.device}`
  return `${NAMESPACE}/${address.group}/${type}/${address.edgeNode}${tail}`
}

export const stateTopic = (hostId: string): string => `${NAMESPACE}/STATE/${hostId}`

/** What the host subscribes: every group, or the ones named, and its own STATE is not read. */
export function hostSubscriptions(groups: readonly string[]): string[] {
  return groups.length === 0 ? [`${NAMESPACE}/#`] : groups.map((g) => `${NAMESPACE}/${g}/#`)
}

/** One key per edge node, for maps. */
export const nodeKey = (a: EdgeAddress): string => `${a.group}/${a.edgeNode}`
