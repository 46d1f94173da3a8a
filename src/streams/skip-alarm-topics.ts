import { filter, type Observable } from 'rxjs'
import type { InboundMessage } from './inbound.js'

/**
 * Drops (acknowledged) the messages under `{prefix}/alarms/`: the service publishes each
 * alarm's state there for andon lights, and its own ingest, subscribed to `{prefix}/#`, would
 * otherwise dead-letter each one as an unknown topic.
 */
export function skipAlarmTopics(
  prefix: string,
): (messages: Observable<InboundMessage>) => Observable<InboundMessage> {
  const own = `${prefix}/alarms/`
  return filter((m) => {
    if (!m.topic.startsWith(own)) return true
    m.ack()
    return false
  })
}
