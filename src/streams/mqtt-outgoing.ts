import type { MqttClient, PacketCallback } from 'mqtt'

/**
 * The one place that relies on how mqtt.js keeps QoS ≥ 1 packets it has sent: each waits in
 * `client.outgoing` under its packet id, with the callback given to `publish`, and in the
 * outgoing store, from which it is re-sent on every reconnect until the broker acknowledges
 * it. `test/unit/streams/mqtt-outgoing.test.ts` fails if a new mqtt.js changes that.
 */

/**
 * Takes the packet published with `callback` out of mqtt.js's outgoing store, so that it is
 * never re-sent. mqtt.js then calls `callback` with an error, which the caller must ignore.
 * Returns whether the packet was still waiting for its acknowledgement.
 */
export function forgetOutgoing(client: MqttClient, callback: PacketCallback): boolean {
  for (const [id, entry] of Object.entries(client.outgoing)) {
    if (entry.cb === callback) {
      client.removeOutgoingMessage(Number(id))
      return true
    }
  }
  return false
}

/** How many sent packets mqtt.js still holds for re-sending. */
export function outgoingCount(client: MqttClient): number {
  return Object.keys(client.outgoing).length
}
