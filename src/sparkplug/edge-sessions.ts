import type { BoundName } from '../domain/bounds.js'
import type { Metric, MetricValue, Payload } from './payload.js'
import { nodeKey, type EdgeAddress, type MessageType } from './topics.js'

/** A metric with its name resolved and its time settled. */
export type Reading = { name: string; value: MetricValue; timestamp: number; datatype?: string }

/** Why the host asks an edge node to publish its births again. */
export type RebirthReason = 'seq-gap' | 'unknown-alias' | 'before-birth'

/**
 * What a message means once checked against the edge node's session. Births and data carry
 * readings; a death names the devices it takes with it. A message that cannot be trusted is
 * rejected with its reason; `rebirth` says the node should be asked to publish its births.
 */
export type Verdict =
  | { kind: 'birth' | 'data'; address: EdgeAddress; readings: Reading[]; gap?: string }
  | { kind: 'death'; address: EdgeAddress; devices: string[]; gap?: string }
  | { kind: 'rejected'; reason: string; rebirth?: RebirthReason; bound?: BoundName }
  | { kind: 'ignored'; reason: string }

type MetricDef = { name: string; datatype?: string }

type NodeSession = {
  bdSeq: number | undefined
  /** The last seq seen, 0..255. */
  seq: number
  aliases: Map<number, MetricDef>
  /** Devices born in this session, with their aliases. */
  devices: Map<string, Map<number, MetricDef>>
  online: boolean
  /** When the node last sent anything (receipt time), for idle eviction. */
  seenAt: number
}

/** How much state outside ids may make the host keep. */
export type SessionBounds = {
  maxEdgeNodes: number
  maxDevicesPerNode: number
  /** Also bounds the aliases a node or device has: aliases are defined by births only. */
  maxMetricsPerBirth: number
  /** An edge node silent this long is forgotten; its next message asks for a rebirth. */
  idleMs: number
}

/** No bound: for tests of the protocol alone. */
export const UNBOUNDED: SessionBounds = {
  maxEdgeNodes: Infinity,
  maxDevicesPerNode: Infinity,
  maxMetricsPerBirth: Infinity,
  idleMs: Infinity,
}

/** Metrics of the node's own housekeeping, not of the machine. */
const CONTROL = /^(bdSeq$|Node Control\/|Properties\/)/

/**
 * The host's view of every edge node: births (names, aliases, datatypes), bdSeq and seq.
 * Sparkplug's rules, in one place and without I/O: a message is checked against its node's
 * session, which it may change. Sessions are bounded: a birth past a bound is rejected and
 * keeps nothing, a node's death forgets it, and a node silent for `idleMs` is forgotten (what
 * it owned comes back with the birth its next message asks for).
 */
export class EdgeSessions {
  private readonly nodes = new Map<string, NodeSession>()
  private sweptAt = -Infinity

  constructor(private readonly bounds: SessionBounds = UNBOUNDED) {}

  /** Edge nodes held now, online or not. */
  held(): number {
    return this.nodes.size
  }

  /**
   * Forgets the nodes silent for `idleMs` (checked at most ten times per `idleMs`); returns the
   * addresses they held (the node, then each device) so their owners can forget them too.
   */
  evictIdle(now: number): EdgeAddress[] {
    const idle = this.bounds.idleMs
    if (!Number.isFinite(idle) || now - this.sweptAt < idle / 10) return []
    this.sweptAt = now
    const gone: EdgeAddress[] = []
    for (const [key, s] of this.nodes) {
      if (now - s.seenAt < idle) continue
      this.nodes.delete(key)
      const [group = '', edgeNode = ''] = splitKey(key)
      gone.push(
        { group, edgeNode },
        ...[...s.devices.keys()].map((device) => ({ group, edgeNode, device })),
      )
    }
    return gone
  }

  /** Edge nodes online now. */
  online(): number {
    let n = 0
    for (const s of this.nodes.values()) if (s.online) n += 1
    return n
  }

  /** The devices of an edge node born now (for a command to one of them). */
  isBorn(address: EdgeAddress): boolean {
    const s = this.nodes.get(nodeKey(address))
    if (!s?.online) return false
    return address.device === undefined || s.devices.has(address.device)
  }

  accept(type: MessageType, address: EdgeAddress, payload: Payload, receivedAt: number): Verdict {
    const key = nodeKey(address)
    const session = this.nodes.get(key)
    const at = payload.timestamp ?? receivedAt
    switch (type) {
      case 'NBIRTH': {
        // A new birth ends the node's session whatever it brings: its old aliases are void.
        if (session) this.nodes.delete(key)
        const tooMany = this.birthTooLarge(type, payload)
        if (tooMany) return tooMany
        if (this.nodes.size >= this.bounds.maxEdgeNodes)
          return {
            kind: 'rejected',
            reason: `NBIRTH of a new edge node past SPARKPLUG_MAX_EDGE_NODES (${this.bounds.maxEdgeNodes})`,
            bound: 'sparkplug-edge-nodes',
          }
        const bdSeq = numeric(payload.metrics.find((m) => m.name === 'bdSeq')?.value)
        const named = definitions(payload.metrics)
        if (typeof named === 'string')
          return { kind: 'rejected', reason: named, rebirth: 'before-birth' }
        this.nodes.set(key, {
          bdSeq,
          seq: payload.seq ?? 0,
          aliases: named,
          devices: new Map(),
          online: true,
          seenAt: receivedAt,
        })
        return {
          kind: 'birth',
          address,
          readings: readingsOf(payload.metrics, named, at) as Reading[],
        }
      }
      case 'NDEATH': {
        if (!session?.online)
          return { kind: 'ignored', reason: 'NDEATH of an edge node not online' }
        const bdSeq = numeric(payload.metrics.find((m) => m.name === 'bdSeq')?.value)
        if (bdSeq !== undefined && session.bdSeq !== undefined && bdSeq !== session.bdSeq)
          return {
            kind: 'ignored',
            reason: `NDEATH of an earlier session (bdSeq ${bdSeq}, the node's is ${session.bdSeq})`,
          }
        const devices = [...session.devices.keys()]
        // A dead node's session is of no further use: its next message must be a birth.
        this.nodes.delete(key)
        return { kind: 'death', address, devices }
      }
      case 'NCMD':
      case 'DCMD':
        return { kind: 'ignored', reason: `${type} is a command to the edge` }
      default:
        break
    }
    // Every other message belongs to a node's live session and carries the next seq.
    if (!session?.online)
      return {
        kind: 'rejected',
        reason: `${type} before the edge node's NBIRTH`,
        rebirth: 'before-birth',
      }
    session.seenAt = receivedAt
    const gap = this.advance(session, payload.seq)
    const device = address.device ?? ''
    const aliases = type === 'NDATA' ? session.aliases : session.devices.get(device)
    switch (type) {
      case 'DBIRTH': {
        const tooMany = this.birthTooLarge(type, payload)
        if (tooMany) {
          session.devices.delete(device)
          return tooMany
        }
        if (!session.devices.has(device) && session.devices.size >= this.bounds.maxDevicesPerNode)
          return {
            kind: 'rejected',
            reason: `DBIRTH of a new device past SPARKPLUG_MAX_DEVICES_PER_NODE (${this.bounds.maxDevicesPerNode})`,
            bound: 'sparkplug-devices-per-node',
          }
        const named = definitions(payload.metrics)
        if (typeof named === 'string')
          return { kind: 'rejected', reason: named, rebirth: 'before-birth' }
        session.devices.set(device, named)
        const readings = readingsOf(payload.metrics, named, at) as Reading[]
        return { kind: 'birth', address, readings, ...gapped(gap) }
      }
      case 'DDEATH':
        if (!session.devices.delete(device))
          return { kind: 'ignored', reason: 'DDEATH of a device not born' }
        return { kind: 'death', address, devices: [device], ...gapped(gap) }
      case 'NDATA':
      case 'DDATA': {
        if (!aliases)
          return {
            kind: 'rejected',
            reason: `${type} before the device's DBIRTH`,
            rebirth: 'before-birth',
          }
        const readings = readingsOf(payload.metrics, aliases, at)
        if (typeof readings === 'string')
          return { kind: 'rejected', reason: readings, rebirth: 'unknown-alias' }
        return { kind: 'data', address, readings, ...gapped(gap) }
      }
    }
  }

  /** The rejection of a birth with more metrics than a birth may define. */
  private birthTooLarge(type: MessageType, payload: Payload): Verdict | undefined {
    const max = this.bounds.maxMetricsPerBirth
    if (payload.metrics.length <= max) return undefined
    return {
      kind: 'rejected',
      reason: `${type} with ${payload.metrics.length} metrics, over SPARKPLUG_MAX_METRICS_PER_BIRTH (${max})`,
      bound: 'sparkplug-metrics-per-birth',
    }
  }

  /** Moves the node's seq on; the gap, when the message is not the next one. */
  private advance(session: NodeSession, seq: number | undefined): string | undefined {
    const expected = (session.seq + 1) % 256
    if (seq === undefined) return `no seq (expected ${expected})`
    session.seq = seq % 256
    return seq === expected ? undefined : `seq ${seq} where ${expected} was next`
  }
}

/** `group/edgeNode` back into its parts (a group holds no `/`: it is one topic level). */
const splitKey = (key: string): [string, string] => {
  const at = key.indexOf('/')
  return [key.slice(0, at), key.slice(at + 1)]
}

const gapped = (gap: string | undefined) => (gap === undefined ? {} : { gap })

const numeric = (v: MetricValue | undefined): number | undefined =>
  typeof v === 'number' ? v : undefined

/** A birth's metric definitions by alias (names without an alias are read by name). */
function definitions(metrics: readonly Metric[]): Map<number, MetricDef> | string {
  const byAlias = new Map<number, MetricDef>()
  for (const m of metrics) {
    if (m.name === undefined) return 'a birth metric without a name'
    if (m.alias === undefined) continue
    const seen = byAlias.get(m.alias)
    if (seen && seen.name !== m.name)
      return `alias ${m.alias} names both "${seen.name}" and "${m.name}" in one birth`
    byAlias.set(
      m.alias,
      m.datatype === undefined ? { name: m.name } : { name: m.name, datatype: m.datatype },
    )
  }
  return byAlias
}

/** Each metric by name, housekeeping left out; a reason when an alias is not known. */
function readingsOf(
  metrics: readonly Metric[],
  aliases: ReadonlyMap<number, MetricDef>,
  at: number,
): Reading[] | string {
  const readings: Reading[] = []
  for (const m of metrics) {
    const def = m.name === undefined && m.alias !== undefined ? aliases.get(m.alias) : undefined
    const name = m.name ?? def?.name
    if (name === undefined)
      return m.alias === undefined
        ? 'a metric with neither name nor alias'
        : `unknown alias ${m.alias}`
    if (CONTROL.test(name)) continue
    const datatype = m.datatype ?? def?.datatype
    readings.push({
      name,
      value: m.value,
      timestamp: m.timestamp ?? at,
      ...(datatype === undefined ? {} : { datatype }),
    })
  }
  return readings
}
