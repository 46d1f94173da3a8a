import { machineTopicFilter } from '../../domain/topics.js'

/** Who a client of the embedded broker authenticated as. */
export type BrokerIdentity =
  | { kind: 'service' }
  | { kind: 'device'; username: string; machineId: string }
  | { kind: 'gateway'; username: string; patterns: readonly string[] }

/** Whether the topic filter `filter` (MQTT wildcards `+`, `#`) matches the topic `topic`. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true
    if (i >= t.length) return false
    if (f[i] !== '+' && f[i] !== t[i]) return false
  }
  return f.length === t.length
}

/** Whether every topic `filter` can match is one `pattern` matches too. */
export function filterCovered(pattern: string, filter: string): boolean {
  const p = pattern.split('/')
  const f = filter.split('/')
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '#') return true
    if (i >= f.length || f[i] === '#') return false
    if (p[i] !== '+' && (f[i] === '+' || p[i] !== f[i])) return false
  }
  return p.length === f.length
}

/** Whether `clientId` is one of the service's own: `serviceId` or `serviceId-…`. */
export const serviceClientId = (clientId: string, serviceId: string) =>
  clientId === serviceId || clientId.startsWith(`${serviceId}-`)

/** The filters a device may use: its own machine's topics. */
const deviceFilter = machineTopicFilter

/** Whether `who` may publish to `topic`. */
export function mayPublish(who: BrokerIdentity, topic: string, prefix: string): boolean {
  if (who.kind === 'service') return true
  if (who.kind === 'device') return topicMatches(deviceFilter(prefix, who.machineId), topic)
  return who.patterns.some((p) => topicMatches(p, topic))
}

/** Whether `who` may subscribe to `filter`; only the service may take in everything (`#`). */
export function maySubscribe(who: BrokerIdentity, filter: string, prefix: string): boolean {
  if (who.kind === 'service') return true
  if (who.kind === 'device') return filterCovered(deviceFilter(prefix, who.machineId), filter)
  return who.patterns.some((p) => p !== '#' && filterCovered(p, filter))
}
