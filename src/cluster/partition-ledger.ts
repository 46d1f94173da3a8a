import type { InputOrigin } from '../actors/ports.js'
import type { PartitionCheckpoint } from '../journal/resume-points.js'

/** What this instance knows of one partition it holds. */
type Held = {
  epoch: number
  /** Every record below it is durable (undefined: nothing stored yet, start where Kafka says). */
  base: number | undefined
  /** The batch at work: its offsets in order, which are settled, and the first that is not. */
  offsets: number[]
  settled: Uint8Array
  cursor: number
  /** The resume point last stored. */
  stored: number | undefined
}

/**
 * The offsets of the partitions this instance holds: which epoch it holds each under, the
 * batch at work in each, which of its records are settled (committed or dead-lettered), and so
 * the point each partition may resume from, every record below it durable. One batch per
 * partition is at work at a time (the consumer takes a partition's next batch once the last
 * one settled). Pure bookkeeping; the consumer and the journal's commits drive it.
 */
export class PartitionLedger {
  private readonly held = new Map<number, Held>()

  constructor(private readonly topic: string) {}

  /** Holds `partition` under `epoch`, resuming from `nextOffset` (undefined: never stored). */
  hold(partition: number, epoch: number, nextOffset: number | undefined): void {
    this.held.set(partition, {
      epoch,
      base: nextOffset,
      offsets: [],
      settled: new Uint8Array(0),
      cursor: 0,
      stored: nextOffset,
    })
  }

  release(partition: number): void {
    this.held.delete(partition)
  }

  partitions(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b)
  }

  holds(partition: number): boolean {
    return this.held.has(partition)
  }

  /** Where `partition` resumes: the first record not settled (undefined: not held, or unknown). */
  resumePoint(partition: number): number | undefined {
    const h = this.held.get(partition)
    return h ? advance(h, undefined) : undefined
  }

  /**
   * Starts a batch of `partition` with these offsets (ascending, from the resume point on);
   * returns the origin of each record, or undefined when the partition is not held.
   */
  begin(partition: number, offsets: number[]): InputOrigin[] | undefined {
    const h = this.held.get(partition)
    if (!h) return undefined
    // An empty batch leaves the resume point where the last one left it.
    h.base = offsets.length > 0 ? offsets[0] : advance(h, undefined)
    h.offsets = offsets
    h.settled = new Uint8Array(offsets.length)
    h.cursor = 0
    return offsets.map((offset) => ({ topic: this.topic, partition, epoch: h.epoch, offset }))
  }

  /**
   * The origin an input made here (not read from the topic) carries for `partition`, so its
   * commit is fenced like the records': at no offset, it moves no resume point.
   */
  originFor(partition: number): InputOrigin | undefined {
    const h = this.held.get(partition)
    return h ? { topic: this.topic, partition, epoch: h.epoch, offset: -1 } : undefined
  }

  /** A record is settled: committed, a duplicate, or dead-lettered. */
  settle(origin: InputOrigin): void {
    const h = this.held.get(origin.partition)
    if (!h || h.epoch !== origin.epoch) return
    const i = indexOf(h.offsets, origin.offset)
    if (i >= 0) h.settled[i] = 1
  }

  /**
   * For a commit carrying inputs from `origins`: per partition and epoch among them, where the
   * partition resumes if the commit lands (its records count as settled). An epoch this
   * instance no longer holds gets a row too, at offset -1: the commit must find it stale and
   * refuse; so does a partition with no resume point known yet (nothing stored, no batch).
   */
  resumePoints(origins: InputOrigin[]): PartitionCheckpoint[] {
    const committing = new Map<string, { origin: InputOrigin; offsets: Set<number> }>()
    for (const o of origins) {
      const k = `${o.partition}:${o.epoch}`
      const entry = committing.get(k) ?? { origin: o, offsets: new Set<number>() }
      entry.offsets.add(o.offset)
      committing.set(k, entry)
    }
    return [...committing.values()].map(({ origin, offsets }) => {
      const h = this.held.get(origin.partition)
      const current = h && h.epoch === origin.epoch
      return {
        topic: this.topic,
        partition: origin.partition,
        epoch: origin.epoch,
        // Negative: nothing to store (a stale epoch, or no resume point known yet).
        nextOffset: (current ? advance(h, offsets) : undefined) ?? -1,
      }
    })
  }

  /** Resume points moved past what was last stored, to store on their own (idle partitions). */
  unstored(): PartitionCheckpoint[] {
    const out: PartitionCheckpoint[] = []
    for (const [partition, h] of this.held) {
      const next = advance(h, undefined)
      if (next !== undefined && (h.stored === undefined || next > h.stored))
        out.push({ topic: this.topic, partition, epoch: h.epoch, nextOffset: next })
    }
    return out
  }

  /** A resume point was stored (by a commit or on its own). */
  stored(checkpoint: PartitionCheckpoint): void {
    const h = this.held.get(checkpoint.partition)
    if (!h || h.epoch !== checkpoint.epoch) return
    if (h.stored === undefined || checkpoint.nextOffset > h.stored) h.stored = checkpoint.nextOffset
  }
}

/**
 * The first offset of the batch neither settled nor in `committing` (moving the cursor past
 * the settled ones), or the base when nothing is at work.
 */
function advance(h: Held, committing: Set<number> | undefined): number | undefined {
  while (h.cursor < h.offsets.length && h.settled[h.cursor] === 1) h.cursor++
  if (h.offsets.length === 0) return h.base
  let i = h.cursor
  if (committing)
    while (i < h.offsets.length && (h.settled[i] === 1 || committing.has(h.offsets[i] as number)))
      i++
  return i < h.offsets.length ? h.offsets[i] : (h.offsets.at(-1) as number) + 1
}

/** Binary search in ascending offsets. */
function indexOf(offsets: number[], offset: number): number {
  let lo = 0
  let hi = offsets.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const v = offsets[mid] as number
    if (v === offset) return mid
    if (v < offset) lo = mid + 1
    else hi = mid - 1
  }
  return -1
}
