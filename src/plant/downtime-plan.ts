import type { RunState } from '../domain/oee.js'
import type { OutboxCursor } from '../publish/outbox.js'
import type { SeriesEvent } from '../series/plan.js'

/** A machine's state as the downtime follower last left it, and its open stop if any. */
export type DowntimeClock = { state: RunState; since: number; openId: string | null }

/** A downtime record as a batch leaves it: new, or an open one now ended. */
export type DowntimeRow = {
  id: string
  machineId: string
  lineId: string
  state: RunState
  startedAt: number
  endedAt: number | null
  reasonCode: string | null
}

/** Parts of one machine, stamped with its line, in one minute. */
export type PartCell = {
  machineId: string
  lineId: string
  minute: number
  produced: number
  good: number
  idealMs: number
  scrapIdealMs: number
}

/** What one batch writes: records to insert or end, minute cells to add, clocks to save. */
export type DowntimePlan = {
  opened: DowntimeRow[]
  /** Records opened by earlier batches that this one ends. */
  ended: { id: string; endedAt: number }[]
  cells: PartCell[]
  clocks: Map<string, DowntimeClock>
  /** Reasons supervisors gave records, the last one of each record. */
  classified: { id: string; reasonCode: string; classifiedBy: string }[]
}

const MINUTE = 60_000

/** States that are no stop: the machine runs, or nothing is known of it yet. */
const NOT_STOPPED: ReadonlySet<RunState> = new Set(['running', 'unknown'])

/**
 * Turns committed machine events, in commit order, into downtime records and per-minute part
 * counts. Every state change ends the machine's open stop; a change to a state other than
 * running opens one, stamped with the line the machine stands in now (so a machine moved
 * later leaves its history with the old line) and identified by the event's place in the log.
 * A time earlier than the machine's last is read as that time, so a record never ends before
 * it starts.
 */
export function planDowntime(
  entries: readonly { cursor: OutboxCursor; event: SeriesEvent }[],
  clockOf: (machineId: string) => DowntimeClock | undefined,
  lineOf: (machineId: string) => string | undefined,
): DowntimePlan {
  const clocks = new Map<string, DowntimeClock>()
  const opened = new Map<string, DowntimeRow>()
  const ended: { id: string; endedAt: number }[] = []
  const cells = new Map<string, PartCell>()
  const classified = new Map<string, DowntimePlan['classified'][number]>()
  for (const { cursor, event } of entries) {
    if (event.type === 'DowntimeClassified') {
      // Applied after the batch's new records are written, so it finds one opened here too.
      classified.set(event.recordId, {
        id: event.recordId,
        reasonCode: event.reasonCode,
        classifiedBy: event.classifiedBy,
      })
      continue
    }
    const lineId = lineOf(event.machineId)
    if (event.type === 'PartProduced') {
      if (lineId === undefined) continue
      const minute = Math.floor(event.at / MINUTE) * MINUTE
      const key = `${event.machineId}\u0000${lineId}\u0000${minute}`
      const cell = cells.get(key) ?? {
        machineId: event.machineId,
        lineId,
        minute,
        produced: 0,
        good: 0,
        idealMs: 0,
        scrapIdealMs: 0,
      }
      cell.produced += 1
      if (!event.damaged) cell.good += 1
      cell.idealMs += event.idealMs ?? 0
      if (event.damaged) cell.scrapIdealMs += event.idealMs ?? 0
      cells.set(key, cell)
      continue
    }
    if (event.type !== 'MachineStateChanged') continue
    const before = clocks.get(event.machineId) ?? clockOf(event.machineId)
    const at = Math.max(event.at, before?.since ?? event.at)
    if (before?.openId) {
      const own = opened.get(before.openId)
      if (own) own.endedAt = at
      else ended.push({ id: before.openId, endedAt: at })
    }
    let openId: string | null = null
    if (!NOT_STOPPED.has(event.state) && lineId !== undefined) {
      openId = `${cursor.txId}-${cursor.position}`
      opened.set(openId, {
        id: openId,
        machineId: event.machineId,
        lineId,
        state: event.state,
        startedAt: at,
        endedAt: null,
        reasonCode: event.reason ?? null,
      })
    }
    clocks.set(event.machineId, { state: event.state, since: at, openId })
  }
  return {
    opened: [...opened.values()],
    ended,
    cells: [...cells.values()],
    clocks,
    classified: [...classified.values()],
  }
}
