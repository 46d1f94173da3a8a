import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { archiveFileFor, writeArchive } from '../../../src/archive/archive-file'
import { readArchivedHistory } from '../../../src/read/archive-history'
import { SchemaRegistry } from '../../../src/publish/avro/schema-registry'
import { asLogged, DAY_PARTITION, ONE_OF_EACH, partProduced } from './sample-events'

const registry = SchemaRegistry.fromDirectory()
let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'millstream-archive-history-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const day = 86_400_000
const nextDay = {
  partition: 'event_log_20231211_0000',
  rangeFrom: DAY_PARTITION.rangeTo,
  rangeTo: DAY_PARTITION.rangeTo + day,
}
const later = [partProduced(1, nextDay.rangeFrom), partProduced(2, nextDay.rangeFrom)]

async function archiveTwoDays(): Promise<void> {
  // The later day first: the order comes from the ranges, not from when they were written.
  await writeArchive(archiveFileFor(dir, nextDay.partition), nextDay, asLogged(later, 9), registry)
  await writeArchive(
    archiveFileFor(dir, DAY_PARTITION.partition),
    DAY_PARTITION,
    asLogged(ONE_OF_EACH),
    registry,
  )
}

describe('archived history', () => {
  it('reads every archive, oldest first, without dead letters', async () => {
    await archiveTwoDays()

    expect(await readArchivedHistory(dir, 0, registry)).toStrictEqual([
      ...ONE_OF_EACH.filter((e) => e.type !== 'DeadLetter'),
      ...later,
    ])
  })

  it('keeps the events that occurred at or after `since`', async () => {
    await archiveTwoDays()
    const since = ONE_OF_EACH[5]?.occurredAt as number

    expect(await readArchivedHistory(dir, since, registry)).toStrictEqual([
      ...ONE_OF_EACH.slice(5).filter((e) => e.type !== 'DeadLetter'),
      ...later,
    ])
  })

  it('is empty when nothing was archived yet', async () => {
    expect(await readArchivedHistory(path.join(dir, 'none'), 0, registry)).toEqual([])
  })
})
