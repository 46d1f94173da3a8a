import type avro from 'avsc'

/** Whether two versions of a schema can read each other's data (Avro schema resolution). */
export type Compatibility = {
  /** `current` reads data written with `previous` (new consumers, old data). */
  backward: boolean
  /** `previous` reads data written with `current` (old consumers, new data). */
  forward: boolean
  /** Why a direction fails, prefixed with it. */
  problems: string[]
}

/** Random records per direction: unions and arrays take different shapes from one to the next. */
const SAMPLES = 20

/**
 * Checks both directions of schema resolution between two versions of a record: avsc must
 * build a resolver (it refuses a reader field without a default the writer lacks, a type
 * change, ...), and random records written with one must decode with the other.
 */
export function checkCompatibility(current: avro.Type, previous: avro.Type): Compatibility {
  const problems: string[] = []
  const backward = canRead(current, previous, 'backward', problems)
  const forward = canRead(previous, current, 'forward', problems)
  return { backward, forward, problems }
}

function canRead(
  reader: avro.Type,
  writer: avro.Type,
  direction: 'backward' | 'forward',
  problems: string[],
): boolean {
  try {
    const resolver = reader.createResolver(writer)
    for (let i = 0; i < SAMPLES; i++) {
      const record: unknown = writer.random()
      reader.fromBuffer(writer.toBuffer(record), resolver)
    }
    return true
  } catch (err) {
    problems.push(`${direction}: ${err instanceof Error ? err.message : String(err)}`)
    return false
  }
}
