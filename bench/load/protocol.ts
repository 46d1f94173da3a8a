import type { LoadMix } from './messages'

/** What the bench tells a load process (over the child-process IPC channel). */
export type LoadCommand =
  | {
      type: 'start'
      mqttUrl: string
      topicPrefix: string
      runId: string
      mix: LoadMix
      /** MQTT connections to spread the machines over. */
      connections: number
      /** Unacknowledged publishes allowed per connection. */
      maxInFlight: number
    }
  /**
   * The Sparkplug B load instead (bench/sparkplug/publisher-main.ts): `devices` devices,
   * `devicesPerNode` to an edge node of `group`, each node its own connection.
   */
  | {
      type: 'start-sparkplug'
      mqttUrl: string
      group: string
      runId: string
      devices: number
      devicesPerNode: number
      /** Unacknowledged publishes allowed per edge node connection. */
      maxInFlight: number
    }
  /** Closed loop: publish until `upTo` messages in all (the bench raises it as work drains). */
  | { type: 'allow'; upTo: number }
  /** Open loop: publish at a fixed rate from now on (0 stops). */
  | { type: 'rate'; perSecond: number }
  | { type: 'stop' }

/** What a load process reports back, every 100 ms and on stop. */
export type LoadReport = {
  type: 'progress'
  /** Messages handed to MQTT. */
  published: number
  /** Messages the broker acknowledged (PUBACK). */
  acked: number
  failed: number
}
