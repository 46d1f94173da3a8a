import type { BenchBudget, BenchServices, Ceiling } from '../lib/types'
import { measureAvroEncode } from './avro-encode'
import { measureKafkaProduce } from './kafka-produce'
import { measureMqttRelay } from './mqtt-relay'
import { measurePgCopy } from './pg-copy'
import { measurePgInsert } from './pg-insert'
import { migratedScratchDatabase } from './pg-scratch'

/** Inserters in the parallel variant: the service commits from several connections too. */
const PARALLEL_INSERTERS = 4

/**
 * The ceiling of each part of the stack alone, measured one after another (run together they
 * would take CPU from each other on the bench machine).
 */
export async function measureCeilings(
  services: BenchServices,
  budget: BenchBudget,
  log: (line: string) => void,
): Promise<Ceiling[]> {
  // Made on first use: the PostgreSQL ceilings insert into copies of the migrated event_log.
  let pgUrl: Promise<string> | undefined
  const pgDatabase = () => (pgUrl ??= migratedScratchDatabase())
  const measurements: [string, () => Promise<Ceiling>][] = [
    ['MQTT relay', () => measureMqttRelay(services.mqttUrl, budget)],
    ['PostgreSQL insert', async () => measurePgInsert(await pgDatabase(), budget, 1)],
    [
      'PostgreSQL parallel insert',
      async () => measurePgInsert(await pgDatabase(), budget, PARALLEL_INSERTERS),
    ],
    ['PostgreSQL COPY', async () => measurePgCopy(await pgDatabase(), budget)],
    [
      'Kafka produce',
      () =>
        measureKafkaProduce(services.kafkaBrokers, budget, {
          idempotent: true,
          concurrentBatches: 1,
        }),
    ],
    [
      'Kafka produce, not idempotent',
      () =>
        measureKafkaProduce(services.kafkaBrokers, budget, {
          idempotent: false,
          concurrentBatches: 4,
        }),
    ],
    ['Avro encode', () => measureAvroEncode(budget)],
  ]
  const ceilings: Ceiling[] = []
  for (const [what, measure] of measurements) {
    log(`ceiling: measuring ${what} for ${budget.ceilingSeconds} s`)
    const ceiling = await measure()
    log(`ceiling: ${ceiling.name}: ${ceiling.perSecond} ${ceiling.unit}`)
    ceilings.push(ceiling)
  }
  return ceilings
}
