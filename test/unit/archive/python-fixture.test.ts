import {
  archiveFileFor,
  readArchive,
  verifyArchive,
  writeArchive,
} from '../../../src/archive/archive-file'
import { projectPath } from '../../../src/project-root'
import { SchemaRegistry } from '../../../src/publish/avro/schema-registry'
import { asLogged, DAY_PARTITION, ONE_OF_EACH } from './sample-events'

/**
 * The archive the Python client's tests read (clients/python/tests/test_archive.py), written
 * by this writer. `WRITE_ARCHIVE_FIXTURE=1` writes it again (the writer is deterministic, so
 * only a change of format or sample events changes it); otherwise the committed file must
 * still read back as these events, so neither side drifts from the other.
 */
const FIXTURE_DIR = projectPath('clients', 'python', 'tests', 'fixtures', 'archive')
const fixture = archiveFileFor(FIXTURE_DIR, DAY_PARTITION.partition)
const expected = asLogged(ONE_OF_EACH, 101)
const registry = SchemaRegistry.fromDirectory()

describe('the Python client’s archive fixture', () => {
  if (process.env.WRITE_ARCHIVE_FIXTURE === '1') {
    it('is written', async () => {
      const summary = await writeArchive(fixture, DAY_PARTITION, expected, registry)
      expect(summary.events).toBe(expected.length)
    })
    return
  }

  it('still reads back as the sample events', async () => {
    const read = []
    for await (const logged of readArchive(fixture, registry)) read.push(logged)
    expect(read).toStrictEqual(expected)
    expect(await verifyArchive(fixture)).toMatchObject({
      ...DAY_PARTITION,
      events: expected.length,
    })
  })
})
