import type { InputOrigin } from '../../../src/actors/ports'
import { PartitionLedger } from '../../../src/cluster/partition-ledger'
import type { PartitionCheckpoint } from '../../../src/journal/resume-points'

const TOPIC = 'millstream.ingest'

/** A ledger holding partition 3 under epoch 7 with a batch of `offsets` at work. */
function atWork(offsets: number[], nextOffset: number | undefined = offsets[0]) {
  const ledger = new PartitionLedger(TOPIC)
  ledger.hold(3, 7, nextOffset)
  const origins = ledger.begin(3, offsets) as InputOrigin[]
  return { ledger, origins }
}

const at = (origins: InputOrigin[], offset: number) => {
  const o = origins.find((x) => x.offset === offset)
  if (!o) throw new Error(`no origin at offset ${offset}`)
  return o
}

describe('the partition ledger', () => {
  describe('holding partitions', () => {
    it('lists the partitions held, in order, and forgets one released', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(5, 1, 0)
      ledger.hold(2, 1, undefined)
      ledger.hold(9, 4, 100)
      expect(ledger.partitions()).toEqual([2, 5, 9])
      expect(ledger.holds(5)).toBe(true)
      ledger.release(5)
      expect(ledger.partitions()).toEqual([2, 9])
      expect(ledger.holds(5)).toBe(false)
      expect(ledger.resumePoint(5)).toBeUndefined()
    })

    it('resumes a partition from the offset stored, or from nowhere when none was stored', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(0, 1, 42)
      ledger.hold(1, 1, undefined)
      expect(ledger.resumePoint(0)).toBe(42)
      expect(ledger.resumePoint(1)).toBeUndefined()
    })

    it('starts afresh when a partition is held again under a new epoch', () => {
      const { ledger, origins } = atWork([10, 11])
      ledger.settle(at(origins, 10))
      ledger.hold(3, 8, 10)
      expect(ledger.resumePoint(3)).toBe(10)
      // The old epoch's records settle nothing any more.
      ledger.settle(at(origins, 11))
      expect(ledger.resumePoint(3)).toBe(10)
    })
  })

  describe('a batch', () => {
    it('gives each record an origin with the topic, partition, epoch and offset', () => {
      const { origins } = atWork([10, 11, 13])
      expect(origins).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, offset: 10 },
        { topic: TOPIC, partition: 3, epoch: 7, offset: 11 },
        { topic: TOPIC, partition: 3, epoch: 7, offset: 13 },
      ])
    })

    it('has no origins for a partition not held', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(1, 1, 0)
      expect(ledger.begin(2, [0, 1])).toBeUndefined()
    })

    it('resumes from the first record not settled, however they settle', () => {
      const { ledger, origins } = atWork([10, 11, 12, 13])
      expect(ledger.resumePoint(3)).toBe(10)
      ledger.settle(at(origins, 12))
      expect(ledger.resumePoint(3)).toBe(10)
      ledger.settle(at(origins, 11))
      expect(ledger.resumePoint(3)).toBe(10)
      ledger.settle(at(origins, 10))
      expect(ledger.resumePoint(3)).toBe(13)
      ledger.settle(at(origins, 13))
      expect(ledger.resumePoint(3)).toBe(14)
    })

    it('resumes past the last record when all are settled, offsets with gaps included', () => {
      const { ledger, origins } = atWork([20, 25, 31])
      for (const o of [...origins].reverse()) ledger.settle(o)
      expect(ledger.resumePoint(3)).toBe(32)
    })

    it('keeps the resume point of the last batch through an empty one', () => {
      const { ledger, origins } = atWork([10, 11])
      for (const o of origins) ledger.settle(o)
      expect(ledger.begin(3, [])).toEqual([])
      expect(ledger.resumePoint(3)).toBe(12)
    })

    it('starts the next batch where the settled one ended', () => {
      const { ledger, origins } = atWork([10, 11])
      for (const o of origins) ledger.settle(o)
      const next = ledger.begin(3, [12, 13]) as InputOrigin[]
      expect(ledger.resumePoint(3)).toBe(12)
      ledger.settle(at(next, 12))
      expect(ledger.resumePoint(3)).toBe(13)
    })

    it('ignores the settling of a record read under an epoch no longer held', () => {
      const { ledger } = atWork([10, 11])
      ledger.settle({ topic: TOPIC, partition: 3, epoch: 6, offset: 10 })
      expect(ledger.resumePoint(3)).toBe(10)
    })

    it('ignores the settling of an offset outside the batch, or of a partition not held', () => {
      const { ledger } = atWork([10, 11])
      ledger.settle({ topic: TOPIC, partition: 3, epoch: 7, offset: 12 })
      ledger.settle({ topic: TOPIC, partition: 3, epoch: 7, offset: -1 })
      ledger.settle({ topic: TOPIC, partition: 4, epoch: 7, offset: 10 })
      expect(ledger.resumePoint(3)).toBe(10)
    })
  })

  describe('resume points of a commit', () => {
    it('counts the records being committed as settled', () => {
      const { ledger, origins } = atWork([10, 11, 12])
      expect(ledger.resumePoints([at(origins, 10), at(origins, 11)])).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: 12 },
      ])
      expect(ledger.resumePoints(origins)).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: 13 },
      ])
      // Working them out settles nothing: the commit may still fail.
      expect(ledger.resumePoint(3)).toBe(10)
    })

    it('never skips a record of another commit still unsettled', () => {
      const { ledger, origins } = atWork([10, 11, 12, 13])
      expect(ledger.resumePoints([at(origins, 10), at(origins, 12)])).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: 11 },
      ])
      expect(ledger.resumePoints([at(origins, 11), at(origins, 13)])).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: 10 },
      ])
    })

    it('moves past records another commit settled before', () => {
      const { ledger, origins } = atWork([10, 11, 12, 13])
      ledger.settle(at(origins, 10))
      ledger.settle(at(origins, 12))
      expect(ledger.resumePoints([at(origins, 11)])).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: 13 },
      ])
    })

    it('gives one row per partition and epoch among the inputs', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(1, 2, 0)
      ledger.hold(4, 9, 50)
      const ones = ledger.begin(1, [0, 1]) as InputOrigin[]
      const fours = ledger.begin(4, [50, 51, 52]) as InputOrigin[]
      const rows = ledger.resumePoints([at(fours, 51), at(ones, 0), at(fours, 50), at(ones, 1)])
      expect(rows).toHaveLength(2)
      expect(rows).toEqual(
        expect.arrayContaining([
          { topic: TOPIC, partition: 1, epoch: 2, nextOffset: 2 },
          { topic: TOPIC, partition: 4, epoch: 9, nextOffset: 52 },
        ]),
      )
    })

    it('gives an epoch no longer held a row at offset -1 (nothing to store), for the commit to find stale', () => {
      const { ledger, origins } = atWork([10, 11])
      ledger.hold(3, 8, 10)
      const stale = ledger.resumePoints([at(origins, 10)])
      expect(stale).toEqual([{ topic: TOPIC, partition: 3, epoch: 7, nextOffset: -1 }])
      const current = ledger.originFor(3) as InputOrigin
      expect(ledger.resumePoints([at(origins, 11), current])).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: -1 },
        { topic: TOPIC, partition: 3, epoch: 8, nextOffset: 10 },
      ])
    })

    it('gives a partition released meanwhile a row at offset -1 (nothing to store)', () => {
      const { ledger, origins } = atWork([10, 11])
      ledger.release(3)
      expect(ledger.resumePoints(origins)).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: -1 },
      ])
    })

    it('stores nothing for a partition that has no resume point yet (never stored, no batch)', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(2, 4, undefined)
      const made = ledger.originFor(2)
      if (!made) throw new Error('partition 2 is held')
      expect(ledger.resumePoints([made])).toEqual([
        { topic: TOPIC, partition: 2, epoch: 4, nextOffset: -1 },
      ])
    })
  })

  describe('an input made here', () => {
    it('carries the epoch held, at no offset', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(6, 12, 300)
      expect(ledger.originFor(6)).toEqual({ topic: TOPIC, partition: 6, epoch: 12, offset: -1 })
      expect(ledger.originFor(5)).toBeUndefined()
    })

    it('moves no resume point when committed', () => {
      const { ledger, origins } = atWork([10, 11])
      const here = ledger.originFor(3) as InputOrigin
      expect(ledger.resumePoints([here])).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: 10 },
      ])
      ledger.settle(here)
      expect(ledger.resumePoint(3)).toBe(10)
      ledger.settle(at(origins, 10))
      expect(ledger.resumePoints([here])).toEqual([
        { topic: TOPIC, partition: 3, epoch: 7, nextOffset: 11 },
      ])
    })
  })

  describe('resume points to store on their own', () => {
    it('lists those moved past what was stored, once', () => {
      const { ledger, origins } = atWork([10, 11, 12], 10)
      expect(ledger.unstored()).toEqual([])
      ledger.settle(at(origins, 10))
      ledger.settle(at(origins, 11))
      const due = ledger.unstored()
      expect(due).toEqual([{ topic: TOPIC, partition: 3, epoch: 7, nextOffset: 12 }])
      ledger.stored(due[0] as PartitionCheckpoint)
      expect(ledger.unstored()).toEqual([])
      ledger.settle(at(origins, 12))
      expect(ledger.unstored()).toEqual([{ topic: TOPIC, partition: 3, epoch: 7, nextOffset: 13 }])
    })

    it('lists nothing for a partition that has never stored and has no records yet', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(0, 1, undefined)
      expect(ledger.unstored()).toEqual([])
    })

    it('lists a partition that had never stored once a record settles', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(0, 1, undefined)
      const [first] = ledger.begin(0, [5, 6]) as InputOrigin[]
      expect(ledger.unstored()).toEqual([{ topic: TOPIC, partition: 0, epoch: 1, nextOffset: 5 }])
      ledger.settle(first as InputOrigin)
      expect(ledger.unstored()).toEqual([{ topic: TOPIC, partition: 0, epoch: 1, nextOffset: 6 }])
    })

    it('takes a resume point stored by a commit as stored', () => {
      const { ledger, origins } = atWork([10, 11], 10)
      const [row] = ledger.resumePoints(origins)
      for (const o of origins) ledger.settle(o)
      ledger.stored(row as PartitionCheckpoint)
      expect(ledger.unstored()).toEqual([])
    })

    it('never moves what was stored back', () => {
      const { ledger, origins } = atWork([10, 11, 12], 10)
      for (const o of origins) ledger.settle(o)
      ledger.stored({ topic: TOPIC, partition: 3, epoch: 7, nextOffset: 13 })
      ledger.stored({ topic: TOPIC, partition: 3, epoch: 7, nextOffset: 11 })
      expect(ledger.unstored()).toEqual([])
    })

    it('ignores a resume point stored under an epoch no longer held', () => {
      const { ledger, origins } = atWork([10, 11], 10)
      for (const o of origins) ledger.settle(o)
      ledger.stored({ topic: TOPIC, partition: 3, epoch: 6, nextOffset: 12 })
      expect(ledger.unstored()).toEqual([{ topic: TOPIC, partition: 3, epoch: 7, nextOffset: 12 }])
    })

    it('lists every partition due, each under its own epoch', () => {
      const ledger = new PartitionLedger(TOPIC)
      ledger.hold(1, 2, 0)
      ledger.hold(4, 9, 50)
      ledger.hold(7, 3, 70)
      for (const o of ledger.begin(1, [0, 1]) as InputOrigin[]) ledger.settle(o)
      for (const o of ledger.begin(4, [50]) as InputOrigin[]) ledger.settle(o)
      expect(ledger.unstored()).toEqual(
        expect.arrayContaining([
          { topic: TOPIC, partition: 1, epoch: 2, nextOffset: 2 },
          { topic: TOPIC, partition: 4, epoch: 9, nextOffset: 51 },
        ]),
      )
      expect(ledger.unstored()).toHaveLength(2)
    })
  })
})
