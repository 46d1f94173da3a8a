import type { Pool } from 'pg'
import { archiveFileFor, verifyArchive, writeArchive } from '../archive/archive-file.js'
import type { MachineRules } from '../domain/rules.js'
import { inBoundedTransaction } from '../journal/transaction.js'
import {
  listPartitions,
  TIME_PARTITIONED,
  type TimePartition,
  type TimePartitionedTable,
} from '../journal/log-partitions.js'
import type { Logger } from '../logger.js'
import type { SchemaRegistry } from '../publish/avro/schema-registry.js'
import { snapshotEntities } from './entity-snapshots.js'
import {
  entitiesBehindSnapshot,
  followerCursors,
  rowCount,
  unreadEvents,
} from './partition-checks.js'
import { partitionEvents } from './partition-rows.js'
import {
  detachConcurrently,
  dropRetired,
  finishPendingDetaches,
  reattach,
  recordRetirement,
  unfinishedRetirements,
  type Retirement,
} from './partition-retirement.js'
import { keptFrom, partitionsPastRetention, type RetentionWindows } from './retention-plan.js'

/** What a partition's drop waits for. */
export type RetentionWait = 'followers' | 'snapshots' | 'archive' | 'detach'

/** What retention did, or would do, with one partition past its window. */
export type PartitionVerdict = Pick<TimePartition, 'table' | 'name' | 'from' | 'to' | 'bytes'> & {
  outcome: 'dropped' | 'would drop' | 'waiting'
  waitingFor?: RetentionWait
  /** Why, in words: what it waits for, or what was done first. */
  reason: string
  events?: number
}

/** Whether a detached partition was dropped, or why it is not yet. */
type DropOutcome = { dropped: true } | { dropped: false; reason: string }

/** One pass of retention. */
export type RetentionReport = {
  at: number
  dryRun: boolean
  /** Per table, where kept rows start (undefined: kept for ever). */
  keptFrom: Partial<Record<TimePartitionedTable, number>>
  partitions: PartitionVerdict[]
  deadLettersDeleted: number
}

export type RetentionSettings = {
  windows: RetentionWindows
  /** Archive partitions of the event log here before they are dropped (unset: no archive). */
  archiveDir: string | undefined
  /**
   * Followers of the log whose saved place must be past a partition before it goes (the Kafka
   * relay, the series follower), by their names in `relay_offsets`.
   */
  followers: readonly string[]
  /** Deadline of each statement (the detach, a read of the archive's rows). */
  statementTimeoutMs: number
}

/** Dead letters deleted per statement, so one statement holds its locks only briefly. */
const DEAD_LETTER_BATCH = 10_000

/**
 * Takes partitions past their window off the time-partitioned tables. A partition of the event
 * log goes only when every follower has read all of it, every entity with events in it has a
 * snapshot past them (retention takes the missing ones first), and, with an archive folder, it
 * is archived and the file checks out; the oldest that cannot go stops the pass, so the kept
 * log has no holes. Idempotency keys go once past their window. Every step can be repeated: a
 * pass cut short anywhere is finished by the next.
 */
export class LogRetention {
  constructor(
    private readonly pool: Pool,
    private readonly settings: RetentionSettings,
    private readonly registry: SchemaRegistry,
    private readonly rules: MachineRules,
    private readonly log: Logger,
  ) {}

  /** One pass at `now`; `signal` ends it between steps (and stops an archive being written). */
  async pass(
    now: number,
    { dryRun = false, signal }: { dryRun?: boolean; signal?: AbortSignal } = {},
  ): Promise<RetentionReport> {
    const { windows } = this.settings
    const report: RetentionReport = {
      at: now,
      dryRun,
      keptFrom: {},
      partitions: [],
      deadLettersDeleted: 0,
    }
    for (const table of Object.keys(TIME_PARTITIONED) as TimePartitionedTable[]) {
      const from = keptFrom(table, windows, now)
      if (from !== undefined) report.keptFrom[table] = from
    }
    if (!dryRun) await this.finishInterrupted()
    for (const table of Object.keys(TIME_PARTITIONED) as TimePartitionedTable[]) {
      const due = partitionsPastRetention(await listPartitions(this.pool, table), windows, now)
      for (const partition of due) {
        signal?.throwIfAborted()
        const verdict =
          table === 'event_log'
            ? await this.retireEvents(partition, dryRun, signal)
            : await this.retireKeys(partition, dryRun)
        report.partitions.push(verdict)
        if (verdict.outcome === 'waiting') break
      }
    }
    const deadLettersFrom = report.keptFrom.event_log
    if (!dryRun && deadLettersFrom !== undefined)
      report.deadLettersDeleted = await this.deleteDeadLetters(deadLettersFrom)
    return report
  }

  /** A partition of the event log: checked, snapshotted past, archived, then detached and dropped. */
  private async retireEvents(
    p: TimePartition,
    dryRun: boolean,
    signal: AbortSignal | undefined,
  ): Promise<PartitionVerdict> {
    const verdict = (
      outcome: PartitionVerdict['outcome'],
      reason: string,
      extra: Partial<PartitionVerdict> = {},
    ): PartitionVerdict => ({
      table: p.table,
      name: p.name,
      from: p.from,
      to: p.to,
      bytes: p.bytes,
      outcome,
      reason,
      ...extra,
    })
    const unread = await this.unreadByFollowers(p.name)
    if (unread.length > 0)
      return verdict('waiting', `not yet read by ${unread.join(', ')}`, { waitingFor: 'followers' })
    const behind = await entitiesBehindSnapshot(this.pool, p.name)
    const events = await rowCount(this.pool, p.name)
    const first: string[] = []
    if (behind.length > 0) {
      if (dryRun) first.push(`snapshot ${behind.length} entities first`)
      else {
        try {
          await snapshotEntities(this.pool, behind, this.rules)
        } catch (err) {
          return verdict('waiting', `snapshots: ${(err as Error).message}`, {
            waitingFor: 'snapshots',
            events,
          })
        }
        const still = await entitiesBehindSnapshot(this.pool, p.name)
        if (still.length > 0)
          return verdict('waiting', `${still.length} entities still need a snapshot`, {
            waitingFor: 'snapshots',
            events,
          })
        first.push(`snapshotted ${behind.length} entities`)
      }
    }
    const archiveDir = this.settings.archiveDir
    if (dryRun) {
      if (archiveDir)
        first.push(`archive ${events} events to ${archiveFileFor(archiveDir, p.name)}`)
      return verdict('would drop', ['all read by every follower', ...first].join('; '), { events })
    }
    let archive: Retirement['archive']
    if (archiveDir) {
      try {
        archive = await this.archive(p, archiveDir, events, signal)
      } catch (err) {
        signal?.throwIfAborted()
        return verdict('waiting', `archive: ${(err as Error).message}`, {
          waitingFor: 'archive',
          events,
        })
      }
      first.push(`archived to ${archive.file}`)
    }
    const retirement: Retirement = {
      partition: p.name,
      parent: p.table,
      from: p.from,
      to: p.to,
      events,
      archive,
    }
    const outcome = await this.detachAndDrop(retirement)
    if (!outcome.dropped)
      return verdict('waiting', outcome.reason, { waitingFor: 'detach', events })
    this.log.info({ partition: p.name, events, archive: archive?.file }, 'partition dropped')
    return verdict('dropped', ['all read by every follower', ...first].join('; '), { events })
  }

  /** A partition of idempotency keys past their window: nothing to check, it just goes. */
  private async retireKeys(p: TimePartition, dryRun: boolean): Promise<PartitionVerdict> {
    const base = { table: p.table, name: p.name, from: p.from, to: p.to, bytes: p.bytes }
    const reason = 'past the idempotency window'
    if (dryRun) return { ...base, outcome: 'would drop', reason }
    const events = await rowCount(this.pool, p.name)
    const outcome = await this.detachAndDrop({
      partition: p.name,
      parent: p.table,
      from: p.from,
      to: p.to,
      events,
    })
    return outcome.dropped
      ? { ...base, outcome: 'dropped', reason }
      : { ...base, outcome: 'waiting', waitingFor: 'detach', reason: outcome.reason }
  }

  /** The followers that have not read all of a partition yet. */
  private async unreadByFollowers(table: string): Promise<string[]> {
    const cursors = await followerCursors(this.pool, this.settings.followers)
    const unread: string[] = []
    for (const cursor of cursors) {
      const n = await unreadEvents(this.pool, table, cursor)
      if (n > 0) unread.push(`${cursor.follower} (${n} events)`)
    }
    return unread
  }

  /** Writes the partition's archive (again, if one was left half-made) and checks it. */
  private async archive(
    p: TimePartition,
    dir: string,
    events: number,
    signal: AbortSignal | undefined,
  ): Promise<NonNullable<Retirement['archive']>> {
    const file = archiveFileFor(dir, p.name)
    const written = await writeArchive(
      file,
      { partition: p.name, rangeFrom: p.from, rangeTo: p.to },
      partitionEvents(this.pool, p.name, { readTimeoutMs: this.settings.statementTimeoutMs }),
      this.registry,
      signal ? { signal } : {},
    )
    const checked = await verifyArchive(file)
    if (checked.events !== events || checked.sha256 !== written.sha256)
      throw new Error(`${file} holds ${checked.events} events, the partition ${events}`)
    return { file, sha256: checked.sha256, bytes: checked.bytes }
  }

  /**
   * Records the retirement, detaches the partition and drops it once it is checked again: a
   * row that got in after the checks (a clock far behind) puts it back. Resolves with
   * whether it was dropped, or why not yet.
   */
  private async detachAndDrop(r: Retirement): Promise<DropOutcome> {
    const timeout = this.settings.statementTimeoutMs
    await recordRetirement(this.pool, r)
    try {
      await detachConcurrently(this.pool, r, timeout)
    } catch (err) {
      return {
        dropped: false,
        reason: `detach: ${(err as Error).message} (finished on the next pass)`,
      }
    }
    return this.dropIfUnchanged(r)
  }

  private async dropIfUnchanged(r: Retirement): Promise<DropOutcome> {
    const now = await rowCount(this.pool, r.partition)
    const unread = r.parent === 'event_log' ? await this.unreadByFollowers(r.partition) : []
    if (now !== r.events || unread.length > 0) {
      await reattach(this.pool, r, this.settings.statementTimeoutMs)
      this.log.warn(
        { partition: r.partition, was: r.events, now },
        'partition took rows after its checks; attached again',
      )
      return {
        dropped: false,
        reason: `took rows after its checks (${r.events} → ${now}); attached again`,
      }
    }
    await dropRetired(this.pool, r.partition)
    return { dropped: true }
  }

  /** Finishes what a pass cut short left: pending detaches, detached partitions not dropped. */
  private async finishInterrupted(): Promise<void> {
    for (const table of Object.keys(TIME_PARTITIONED) as TimePartitionedTable[])
      await finishPendingDetaches(this.pool, table, this.settings.statementTimeoutMs)
    for (const r of await unfinishedRetirements(this.pool)) {
      if (r.attached) continue // the detach never began; the pass takes it from the start
      const outcome = await this.dropIfUnchanged(r)
      this.log.info({ partition: r.partition, outcome }, 'interrupted retirement finished')
    }
  }

  /** Deletes dead letters recorded before `from`; their events go with the log's partitions. */
  private async deleteDeadLetters(from: number): Promise<number> {
    let deleted = 0
    for (;;) {
      const r = await inBoundedTransaction(this.pool, this.settings.statementTimeoutMs, (client) =>
        client.query(
          `DELETE FROM dead_letters WHERE ctid = ANY(ARRAY(
             SELECT ctid FROM dead_letters WHERE recorded_at < ms_to_ts($1) LIMIT $2))`,
          [from, DEAD_LETTER_BATCH],
        ),
      )
      deleted += r.rowCount ?? 0
      if ((r.rowCount ?? 0) < DEAD_LETTER_BATCH) return deleted
    }
  }
}
