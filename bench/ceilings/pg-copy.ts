import pg, { type Connection, type Submittable } from 'pg'
import type { BenchBudget, Ceiling } from '../lib/types'
import {
  createScratchEventLog,
  dropScratchEventLog,
  EVENT_COLUMNS,
  PartProducedBatches,
  type EventBatch,
} from './pg-scratch'
import { rateOf, roundSeconds, warmThenMeasure } from './timed-loop'

const BATCH = 1000

/** PostgreSQL's COPY alone: batches of `BATCH` event-log rows, one `COPY … FROM STDIN` each. */
export async function measurePgCopy(databaseUrl: string, budget: BenchBudget): Promise<Ceiling> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  let table: string | undefined
  try {
    table = await createScratchEventLog(client)
    const copy = `COPY ${table} (${EVENT_COLUMNS}) FROM STDIN WITH (FORMAT csv)`
    const rows = new PartProducedBatches(BATCH)
    // The same in every batch: quoted once.
    const payloads = rows.payloads.map((p) => `"${p.replaceAll('"', '""')}"`)
    let batchBytes = 0
    const tally = await warmThenMeasure(budget, async () => {
      const data = Buffer.from(csvOf(rows, rows.next(), payloads))
      batchBytes = data.length
      return client.query(new CopyFromBuffer(copy, data)).done
    })
    return {
      name: 'PostgreSQL COPY, 1 connection',
      unit: 'rows/s',
      perSecond: rateOf(tally),
      detail: {
        statement: 'COPY … FROM STDIN (FORMAT csv)',
        rowsPerTransaction: BATCH,
        bytesPerBatch: batchBytes,
        rows: tally.units,
        seconds: roundSeconds(tally.seconds),
      },
    }
  } finally {
    if (table) await dropScratchEventLog(client, table).catch(() => undefined)
    await client.end()
  }
}

/** A batch as CSV lines in `EVENT_COLUMNS` order. */
function csvOf(rows: PartProducedBatches, batch: EventBatch, payloads: string[]): string {
  return rows.entityIds
    .map((entityId, i) => {
      const occurredAt = new Date(batch.occurredAt[i] ?? 0).toISOString()
      const recordedAt = new Date(batch.recordedAt[i] ?? 0).toISOString()
      return `${batch.eventIds[i]},${rows.entityType},${entityId},${batch.sequence},${rows.type},${occurredAt},${recordedAt},${payloads[i]}\n`
    })
    .join('')
}

/** The part of pg's connection that streams COPY data (what pg-copy-streams calls too). */
type CopyConnection = Connection & {
  sendCopyFromChunk(chunk: Buffer): void
  endCopyFrom(): void
}

/**
 * One `COPY … FROM STDIN` of a buffer through pg's Submittable hook, since pg-copy-streams is
 * not a dependency: pg hands the query the server's replies through these handlers.
 */
class CopyFromBuffer implements Submittable {
  /** Rows copied, once the server committed them. */
  readonly done: Promise<number>
  private resolve: (rows: number) => void = () => undefined
  private reject: (err: Error) => void = () => undefined
  private rows = 0

  constructor(
    private readonly text: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }

  submit(connection: Connection): void {
    connection.query(this.text)
  }

  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFromChunk(this.data)
    connection.endCopyFrom()
  }

  handleCommandComplete(message: { text: string }): void {
    // "COPY <rows>"
    this.rows = Number(message.text.split(' ')[1])
  }

  /** pg calls this instead of handleReadyForQuery when the server or the socket failed. */
  handleError(err: Error): void {
    this.reject(err)
  }

  handleReadyForQuery(): void {
    this.resolve(this.rows)
  }
}
