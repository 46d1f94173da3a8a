import mqtt, { type MqttClient } from 'mqtt'
import { machineTopic } from '../src/domain/topics'

/** A publisher like a machine gateway: QoS 1, in order, waiting for each batch's PUBACKs. */
export class TestPublisher {
  private constructor(private readonly client: MqttClient) {}

  static async connect(url: string, clientId: string): Promise<TestPublisher> {
    return new TestPublisher(
      await mqtt.connectAsync(url, { clientId, protocolVersion: 4, clean: true }),
    )
  }

  /** Publishes in order; resolves when the broker acknowledged every message. */
  async publishAll(messages: { topic: string; payload: string | Buffer }[]): Promise<void> {
    await Promise.all(messages.map((m) => this.client.publishAsync(m.topic, m.payload, { qos: 1 })))
  }

  async close(): Promise<void> {
    await this.client.endAsync()
  }
}

/** `count` production messages spread round-robin over `machines` machines, each with a messageId. */
export function productionMessages(
  prefix: string,
  machines: number,
  count: number,
  start = 0,
): { topic: string; payload: string; machineId: string; order: number; damaged: boolean }[] {
  return Array.from({ length: count }, (_, i) => {
    const n = start + i
    const machineId = String(1 + (n % machines))
    const order = 1000 + Math.floor(n / machines)
    const damaged = n % 13 === 0
    return {
      topic: machineTopic(prefix, machineId, 'production'),
      machineId,
      order,
      damaged,
      payload: JSON.stringify({
        timeOfProduction: new Date(1_702_166_400_000 + n * 1000).toISOString(),
        order,
        partId: 1 + (n % 4),
        machineId: Number(machineId),
        var1: n / 10,
        var2: `lot-${order}`,
        var5: damaged,
        messageId: `msg-${n}`,
      }),
    }
  })
}
