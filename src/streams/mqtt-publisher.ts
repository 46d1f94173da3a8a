import mqtt, { type MqttClient } from 'mqtt'

/** Publishes to the MQTT broker: how HTTP commands and ingest join the ordered input stream. */
export interface MessageBus {
  publish(
    topic: string,
    payload: string | Buffer,
    options?: { qos?: 0 | 1; retain?: boolean },
  ): Promise<void>
}

/** A QoS 1 publisher; `publish` resolves once the broker has the message (PUBACK). */
export class MqttPublisher implements MessageBus {
  private constructor(private readonly client: MqttClient) {}

  static async connect(url: string, clientId: string): Promise<MqttPublisher> {
    return new MqttPublisher(
      await mqtt.connectAsync(url, {
        clientId,
        protocolVersion: 4,
        clean: true,
        reconnectPeriod: 1000,
      }),
    )
  }

  async publish(
    topic: string,
    payload: string | Buffer,
    options: { qos?: 0 | 1; retain?: boolean } = {},
  ): Promise<void> {
    await this.client.publishAsync(topic, payload, {
      qos: options.qos ?? 1,
      retain: options.retain ?? false,
    })
  }

  connected(): boolean {
    return this.client.connected
  }

  async close(): Promise<void> {
    await this.client.endAsync()
  }
}
