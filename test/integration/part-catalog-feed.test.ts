import { randomUUID } from 'node:crypto'
import type { Pool } from 'pg'
import { pino } from 'pino'
import { InMemoryPartCatalog } from '../../src/actors/part-catalog'
import type { EntityWrite } from '../../src/actors/ports'
import type { PartInfoUpdated } from '../../src/domain/events'
import { commitWrites, PART_CATALOG_CHANNEL } from '../../src/journal/commit-writes'
import { PgEntityJournal } from '../../src/journal/entity-journal'
import { ensurePartitions } from '../../src/journal/log-partitions'
import { migrate } from '../../src/journal/migrate'
import { PartCatalogFeed } from '../../src/journal/part-catalog-feed'
import { createPool } from '../../src/journal/pool'
import { createTestDatabase, waitFor } from '../../harness/services'

const log = pino({ level: 'silent' })

/** A part-info write of `partId`: its event and its part projection, as the part actor commits. */
function partInfo(partId: number, timeToProduce: number, sequence = 1): EntityWrite {
  const at = 1_700_000_000_000 + sequence
  const event: PartInfoUpdated = {
    eventId: randomUUID(),
    type: 'PartInfoUpdated',
    key: String(partId),
    sequence,
    occurredAt: at,
    recordedAt: at,
    partId,
    defaultPrice: 9.5,
    timeToProduce,
    materials: ['steel'],
  }
  return {
    entityType: 'part',
    entityId: String(partId),
    inputs: [{ idempotencyKey: randomUUID(), eventCount: 1 }],
    events: [event],
    projection: {
      entityType: 'part',
      state: {
        partId,
        sequence,
        defaultPrice: 9.5,
        timeToProduce,
        materials: ['steel'],
        infoUpdatedAt: at,
        produced: 0,
        scrapped: 0,
      },
    },
    snapshot: undefined,
    partTallies: [],
  }
}

describe('the part catalog feed', () => {
  let url: string
  let pool: Pool
  let journal: PgEntityJournal
  const feeds: PartCatalogFeed[] = []

  beforeAll(async () => {
    url = await createTestDatabase()
    pool = createPool(url, log, 4)
    await migrate(pool, log)
    await ensurePartitions(pool, 86_400_000, Date.now())
    journal = new PgEntityJournal(pool, log, { maxBatch: 10, concurrency: 1 })
  })
  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((f) => f.stop()))
    // Each test starts with no listener of its predecessors left.
    await waitFor(
      'the listeners of the last test to close',
      async () => ((await listeners()).length === 0 ? true : undefined),
      5000,
      50,
    )
  })
  afterAll(() => pool.end())

  /** A started feed of a fresh catalog, reloading as the service does (or through `reload`). */
  const startFeed = async (reload = () => journal.partCycleTimes()) => {
    const catalog = new InMemoryPartCatalog()
    const feed = new PartCatalogFeed(url, catalog, reload, log)
    feeds.push(feed)
    await feed.start()
    return { catalog, feed }
  }
  /** The backends of this database listening for the catalog. */
  const listeners = async () =>
    (
      await pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%' ORDER BY pid`,
      )
    ).rows.map((r) => r.pid)
  const terminateListeners = () =>
    pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN%'`,
    )
  const cycleTime = (catalog: InMemoryPartCatalog, partId: number, seconds: number) =>
    waitFor(
      `part ${partId} at ${seconds} s in the catalog`,
      () => Promise.resolve(catalog.idealCycleSeconds(partId) === seconds ? true : undefined),
      5000,
      20,
    )

  it('loads the cycle times already committed when it starts', async () => {
    expect(await commitWrites(pool, [partInfo(1, 30), partInfo(2, 45)])).toEqual([
      'applied',
      'applied',
    ])
    const { catalog, feed } = await startFeed()
    expect(feed.listening()).toBe(true)
    expect(catalog.idealCycleSeconds(1)).toBe(30)
    expect(catalog.idealCycleSeconds(2)).toBe(45)
    expect(catalog.idealCycleSeconds(99)).toBeNull()
  })

  it('sees a part-info commit made after it started within seconds', async () => {
    const { catalog } = await startFeed()
    expect(catalog.idealCycleSeconds(10)).toBeNull()
    await commitWrites(pool, [partInfo(10, 12.5)])
    await cycleTime(catalog, 10, 12.5)
    await commitWrites(pool, [partInfo(10, 14, 2)])
    await cycleTime(catalog, 10, 14)
  })

  it('hears nothing of a part-info write that was a duplicate', async () => {
    const { catalog } = await startFeed()
    const first = partInfo(11, 20)
    await commitWrites(pool, [first])
    await cycleTime(catalog, 11, 20)
    const again = { ...partInfo(11, 99, 2), inputs: first.inputs }
    expect(await commitWrites(pool, [again])).toEqual(['duplicate'])
    // Notifications arrive in commit order: once a later one is here, the duplicate's would be.
    await commitWrites(pool, [partInfo(111, 1)])
    await cycleTime(catalog, 111, 1)
    expect(catalog.idealCycleSeconds(11)).toBe(20)
  })

  it('keeps applying notifications after an unreadable one', async () => {
    const { catalog } = await startFeed()
    await pool.query('SELECT pg_notify($1, $2)', [PART_CATALOG_CHANNEL, 'not json'])
    await commitWrites(pool, [partInfo(12, 8)])
    await cycleTime(catalog, 12, 8)
  })

  it('reconnects after its connection is terminated, and keeps applying notifications', async () => {
    const { catalog, feed } = await startFeed()
    const [before] = await listeners()
    expect(before).toBeDefined()
    await terminateListeners()
    const after = await waitFor(
      'the feed to listen again',
      async () => {
        const pids = await listeners()
        return pids.length === 1 && pids[0] !== before && feed.listening() ? pids : undefined
      },
      15_000,
      50,
    )
    expect(after).toHaveLength(1)
    await commitWrites(pool, [partInfo(20, 33)])
    await cycleTime(catalog, 20, 33)
  })

  it('reloads the catalog on reconnecting, so what changed meanwhile is not missed', async () => {
    const { catalog } = await startFeed()
    await commitWrites(pool, [partInfo(30, 5)])
    await cycleTime(catalog, 30, 5)
    // Changed without a notification, as if told while the feed was away.
    await pool.query('UPDATE part_state SET time_to_produce = 6 WHERE part_id = 30')
    await terminateListeners()
    await cycleTime(catalog, 30, 6)
  })

  it('leaves no connection open when stopped while reconnecting', async () => {
    let reloads = 0
    let heldReloadDone = false
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const { feed } = await startFeed(async () => {
      // The reload of the reconnect waits until the test lets it go.
      if (++reloads !== 2) return journal.partCycleTimes()
      await held
      const times = await journal.partCycleTimes()
      heldReloadDone = true
      return times
    })
    await terminateListeners()
    await waitFor(
      'the feed to reconnect',
      () => Promise.resolve(reloads === 2 || undefined),
      15_000,
      20,
    )
    await feed.stop()
    release()
    // The reload the stop overtook has returned to the feed, which must not listen again.
    await waitFor('the held reload to return', () => Promise.resolve(heldReloadDone || undefined))
    await new Promise((resolve) => setImmediate(resolve))
    expect(feed.listening()).toBe(false)
    await waitFor(
      'no connection listening',
      async () => ((await listeners()).length === 0 ? true : undefined),
      5000,
      50,
    )
  })

  it('listens no more once stopped', async () => {
    const { feed } = await startFeed()
    expect(await listeners()).toHaveLength(1)
    await feed.stop()
    expect(feed.listening()).toBe(false)
    await waitFor(
      'the listening connection to close',
      async () => ((await listeners()).length === 0 ? true : undefined),
      5000,
      50,
    )
  })
})
