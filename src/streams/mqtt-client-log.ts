/**
 * mqtt.js traces every packet through `debug` (`mqttjs:*`), which costs calls and argument
 * arrays per message even when nothing prints: 2% of the ingest thread at full rate. Unless
 * DEBUG is set (to trace the client as mqtt.js documents), clients get a logger that does
 * nothing; left undefined, mqtt.js uses its own.
 */
export const mqttClientLog: ((...args: unknown[]) => void) | undefined = process.env.DEBUG
  ? undefined
  : () => undefined
