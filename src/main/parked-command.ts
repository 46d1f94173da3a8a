import { PgParkedRecords } from '../read/parked-record-queries.js'
import type { Logger } from '../logger.js'
import type { Config } from './config.js'
import { kafkaRelayName } from './components/publish.js'
import { withDatabase } from './database-commands.js'
import { tellUser, usage } from './usage.js'

/**
 * `millstream parked list|republish [ID]`: the records Kafka refused for good, and the command
 * that asks the running relay to publish them again (as `POST /parked-records/.../republish`).
 */
export async function parked(config: Config, log: Logger, args: string[]): Promise<number> {
  const [mode, id, ...extra] = args
  const one = id === undefined ? undefined : Number(id)
  if (extra.length > 0 || (one !== undefined && !(Number.isSafeInteger(one) && one > 0)))
    return usage('parked: one record id at most, a positive integer')
  return withDatabase(config, log, async (pool) => {
    const records = new PgParkedRecords(pool, kafkaRelayName(config.kafka))
    switch (mode) {
      case 'list': {
        for (const r of await records.list(500, 0)) {
          const state = r.republishedAt
            ? `republished ${r.republishedAt.toISOString()}`
            : r.republishRequestedAt
              ? 'republish asked for'
              : 'parked'
          process.stdout.write(`${r.id}\t${r.type}\t${r.key}\t${r.eventId}\t${r.code}\t${state}\n`)
        }
        return 0
      }
      case 'republish': {
        const n = await records.requestRepublish(one)
        tellUser(`${n} parked record(s) to republish; the leading relay publishes them shortly`)
        return n === 0 && one !== undefined ? 1 : 0
      }
      default:
        return usage(`unknown parked mode: ${mode ?? '(none)'}`)
    }
  })
}
