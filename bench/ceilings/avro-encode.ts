import { avroRecordOf } from '../../src/publish/avro/event-records'
import { SchemaRegistry } from '../../src/publish/avro/schema-registry'
import { encodeSingleObject } from '../../src/publish/avro/single-object'
import type { BenchBudget, Ceiling } from '../lib/types'
import { samplePartProduced } from './sample-event'
import { rateOf, roundSeconds, warmThenMeasure } from './timed-loop'

const DISTINCT_EVENTS = 1000

/**
 * Avro encoding alone: PartProduced events to single-object bytes, by the relay's own path
 * (schema looked up by event type, `avroRecordOf`, `encodeSingleObject`), in a tight loop.
 */
export async function measureAvroEncode(budget: BenchBudget): Promise<Ceiling> {
  const schemas = SchemaRegistry.fromDirectory()
  const events = Array.from({ length: DISTINCT_EVENTS }, (_, n) => samplePartProduced(n))
  let bytes = 0
  const tally = await warmThenMeasure(budget, () => {
    for (const event of events)
      bytes = encodeSingleObject(schemas.get(event.type), avroRecordOf(event)).length
    return Promise.resolve(events.length)
  })
  return {
    name: 'Avro single-object encode of PartProduced (avsc)',
    unit: 'encodes/s',
    perSecond: rateOf(tally),
    detail: {
      encodedBytes: bytes,
      encodes: tally.units,
      seconds: roundSeconds(tally.seconds),
    },
  }
}
