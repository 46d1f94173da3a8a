import pg from 'pg'
import type { Logger } from '../logger.js'
import { clientConfig, type DatabaseTarget } from './database-target.js'

// bigint columns (counts, sequences, positions) stay far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))

/**
 * Settings of every service connection. No JIT: our statements are short, and once a cost
 * estimate crosses jit_above_cost (stale statistics on a growing log are enough) compiling the
 * group commit took 0.9 s of its 20 ms.
 */
export const SESSION_OPTIONS = '-c jit=off'

/** A connection pool for the service. An idle connection's error is logged, not fatal. */
export function createPool(target: string | DatabaseTarget, log: Logger, max = 10): pg.Pool {
  const pool = new pg.Pool({
    ...clientConfig(target),
    max,
    application_name: 'millstream',
    options: SESSION_OPTIONS,
  })
  pool.on('error', (err) => log.warn({ error: err.message }, 'idle database connection failed'))
  return pool
}
