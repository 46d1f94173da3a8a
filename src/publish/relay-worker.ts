import { parentPort, workerData } from 'node:worker_threads'
import { SchemaRegistry } from './avro/schema-registry.js'
import { KafkaEventProducer } from './event-producer.js'
import { createLogger, logDestination } from '../logger.js'
import { PgOutbox } from './outbox.js'
import { createPool } from '../journal/pool.js'
import { OutboxRelay } from './outbox-relay.js'
import { PgParkingLot } from './parking-lot.js'
import type { FromRelay, RelayWorkerData, ToRelay } from './relay-protocol.js'

/*
 * The outbox relay in a thread of its own (started by RelayThread). Reading the log, encoding
 * Avro and kafkajs's record encoding took about a fifth of the main thread under load, and its
 * round trips waited behind ingest work there; here it has a core's worth of time to itself.
 */

const data = workerData as RelayWorkerData
const port = parentPort
if (!port) throw new Error('relay-worker runs as a worker thread')

const log = createLogger(data.logLevel, logDestination(data.logFormat)).child({
  module: 'outbox-relay',
})
const pool = createPool(data.database, log, 4)
const relay = new OutboxRelay(
  new PgOutbox(pool, data.relayName),
  new KafkaEventProducer(data.producer, SchemaRegistry.fromDirectory(), log),
  { batch: data.batch, pollMs: data.pollMs, parking: new PgParkingLot(pool, data.relayName) },
  log,
)
const post = (message: FromRelay) => port.postMessage(message)
const reportStatus = setInterval(() => post({ type: 'status', status: relay.status() }), 100)

port.on('message', (message: ToRelay) => {
  switch (message.type) {
    case 'nudge':
      relay.wake()
      break
    case 'lag':
      void relay.lag().then(
        (lag) => post({ type: 'lag', id: message.id, lag }),
        () => post({ type: 'lag', id: message.id, lag: undefined }),
      )
      break
    case 'stop':
      clearInterval(reportStatus)
      void relay
        .stop()
        .then(() => pool.end())
        .catch((err: unknown) => log.error({ err }, 'relay stop failed'))
        .finally(() => {
          post({ type: 'status', status: relay.status() })
          post({ type: 'stopped' })
          port.close()
        })
      break
  }
})

relay.start()
post({ type: 'status', status: relay.status() })
