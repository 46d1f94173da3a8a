import type { IPublishPacket, MqttClient } from 'mqtt'

/**
 * The one place that relies on how mqtt.js acknowledges incoming QoS 1 messages. mqtt.js calls
 * `client.handleMessage(packet, callback)` for each one and holds its packet loop until the
 * callback runs; called with no error, it sends the PUBACK itself, with an error it reads on
 * and sends none. We pass an error to read on at once, and send the PUBACK later, through
 * mqtt.js's internal `_sendPacket`, once the message's effect is committed.
 * `test/unit/streams/mqtt-deferred-ack.test.ts` fails if a new mqtt.js changes any of it.
 */

/** Passed to mqtt.js's callback so it reads on without sending the PUBACK itself. */
const DEFERRED = new Error('puback deferred until commit')

/** mqtt.js's internal send. */
type PacketSender = { _sendPacket(packet: { cmd: 'puback'; messageId: number }): void }

/**
 * Hands every incoming message to `receive` with a `readOn` that lets mqtt.js read the next
 * one; a QoS 1 message is then left unacknowledged until `sendPuback`.
 */
export function deferAcks(
  client: MqttClient,
  receive: (packet: IPublishPacket, readOn: () => void) => void,
): void {
  client.handleMessage = (packet, callback) =>
    receive(packet, () => callback(packet.qos > 0 ? DEFERRED : undefined))
}

/** Sends the PUBACK of a QoS 1 message that `deferAcks` left unacknowledged. */
export function sendPuback(client: MqttClient, messageId: number): void {
  ;(client as unknown as PacketSender)._sendPacket({ cmd: 'puback', messageId })
}
