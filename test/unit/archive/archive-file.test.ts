import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import avro from 'avsc'
import {
  archiveFileFor,
  listArchives,
  readArchive,
  verifyArchive,
  writeArchive,
  type LoggedEvent,
} from '../../../src/archive/archive-file'
import { SchemaRegistry } from '../../../src/publish/avro/schema-registry'
import { asLogged, DAY_PARTITION, ONE_OF_EACH, partProduced } from './sample-events'

const registry = SchemaRegistry.fromDirectory()
let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'millstream-archive-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

async function writeDay(events: LoggedEvent[] = asLogged(ONE_OF_EACH)) {
  return writeArchive(archiveFileFor(dir, DAY_PARTITION.partition), DAY_PARTITION, events, registry)
}

/** The header of an Avro container file, as any Avro reader sees it. */
function headerOf(file: string): Promise<{ meta: Record<string, Buffer>; schema: unknown }> {
  return new Promise((resolve, reject) => {
    avro
      .createFileDecoder(file)
      .on('metadata', (_type: unknown, _codec: unknown, header: { meta: Record<string, Buffer> }) =>
        resolve({
          meta: header.meta,
          schema: JSON.parse((header.meta['avro.schema'] as Buffer).toString()),
        }),
      )
      .on('error', reject)
  })
}

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file)
  bytes[at] = (bytes[at] as number) ^ 0x40
  writeFileSync(file, bytes)
}

describe('archive files', () => {
  it('round-trips an event of every type, dead letter bytes included', async () => {
    const logged = asLogged(ONE_OF_EACH, 101)
    const summary = await writeDay(logged)

    expect(await collect(readArchive(summary.file, registry))).toStrictEqual(logged)
    expect(await collect(readArchive(summary.file))).toStrictEqual(logged)
  })

  it('summarizes the file in a sha256sum sidecar and a JSON one', async () => {
    const summary = await writeDay(asLogged(ONE_OF_EACH, 101))
    const bytes = readFileSync(summary.file)

    expect(summary).toEqual({
      ...DAY_PARTITION,
      file: path.join(dir, 'event_log_20231210_0000.avro'),
      events: ONE_OF_EACH.length,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      firstPosition: 101,
      lastPosition: 100 + ONE_OF_EACH.length,
    })
    expect(readFileSync(`${summary.file}.sha256`, 'utf8')).toBe(
      `${summary.sha256}  event_log_20231210_0000.avro\n`,
    )
    expect(JSON.parse(readFileSync(`${summary.file}.json`, 'utf8'))).toEqual({
      ...summary,
      file: undefined,
    })
    expect(
      execFileSync('sha256sum', ['-c', `${summary.file}.sha256`], { cwd: dir }).toString(),
    ).toBe('event_log_20231210_0000.avro: OK\n')
    expect(await verifyArchive(summary.file)).toEqual(summary)
  })

  it('carries partition, range and every writer schema in the header, for any Avro reader', async () => {
    const { file } = await writeDay()
    const { meta, schema } = await headerOf(file)

    expect(meta['avro.codec']?.toString()).toBe('deflate')
    expect(meta['millstream.partition']?.toString()).toBe(DAY_PARTITION.partition)
    expect(meta['millstream.range_from']?.toString()).toBe(String(DAY_PARTITION.rangeFrom))
    expect(meta['millstream.range_to']?.toString()).toBe(String(DAY_PARTITION.rangeTo))
    const fields = (schema as { fields: { name: string; type: unknown }[] }).fields
    expect(fields.map((f) => f.name)).toEqual([
      'position',
      'txId',
      'recordedAt',
      'idempotencyKey',
      'event',
    ])
    const union = fields[4]?.type as { name: string }[]
    expect(union.map((s) => s.name).sort()).toEqual(
      registry
        .all()
        .map((s) => s.name)
        .sort(),
    )
    // The .avsc texts as written: logical types included, for readers that convert them.
    expect(union).toContainEqual(registry.get('PartProduced').schema)
  })

  it('writes a valid file with no event for an empty partition', async () => {
    const summary = await writeDay([])

    expect(summary).toMatchObject({ events: 0, firstPosition: null, lastPosition: null })
    expect(await collect(readArchive(summary.file))).toEqual([])
    expect(await verifyArchive(summary.file)).toEqual(summary)
    expect((await headerOf(summary.file)).meta['millstream.partition']?.toString()).toBe(
      DAY_PARTITION.partition,
    )
  })

  it('streams many events through, writing as they come, and reads them back in order', async () => {
    const total = 50_000
    const file = archiveFileFor(dir, DAY_PARTITION.partition)
    let writtenAt45k = 0
    function* events(): Generator<LoggedEvent> {
      for (let n = 0; n < total; n++) {
        if (n === 45_000) {
          const temp = readdirSync(dir).find((name) => name.endsWith('.tmp'))
          writtenAt45k = temp === undefined ? 0 : statSync(path.join(dir, temp)).size
        }
        const event = partProduced(n)
        yield {
          position: 1_000 + n,
          txId: String(n),
          recordedAt: event.recordedAt,
          idempotencyKey: null,
          event,
        }
      }
    }
    const summary = await writeArchive(file, DAY_PARTITION, events(), registry)

    expect(summary).toMatchObject({
      events: total,
      firstPosition: 1_000,
      lastPosition: 1_000 + total - 1,
    })
    // Nine tenths of the events in, nearly nine tenths of the bytes are on disk: no buffering.
    expect(writtenAt45k).toBeGreaterThan(summary.bytes * 0.8)
    let n = 0
    for await (const logged of readArchive(file, registry)) {
      expect(logged.position).toBe(1_000 + n)
      if (n % 9_999 === 0) expect(logged.event).toStrictEqual(partProduced(n))
      n += 1
    }
    expect(n).toBe(total)
  })

  it('detects a flipped byte, in verify and before read', async () => {
    const { file, bytes } = await writeDay()
    flipByte(file, Math.floor(bytes / 2))

    await expect(verifyArchive(file)).rejects.toThrow(`${file}: sha256 is`)
    await expect(collect(readArchive(file))).rejects.toThrow(/does not match|checksum sidecar says/)
  })

  it('refuses a file whose data does not decode, even with a checksum that matches it', async () => {
    const { file, bytes } = await writeDay()
    writeFileSync(file, readFileSync(file).subarray(0, bytes - 30))
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex')
    writeFileSync(`${file}.sha256`, `${sha256}  ${path.basename(file)}\n`)
    const stored = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as Record<string, unknown>
    writeFileSync(`${file}.json`, JSON.stringify({ ...stored, sha256, bytes: bytes - 30 }))

    await expect(verifyArchive(file)).rejects.toThrow(`${file}: holds 0 events, its summary says 8`)
  })

  it('does not count an archive without its checksum sidecar', async () => {
    const { file } = await writeDay()
    rmSync(`${file}.sha256`)

    expect(await listArchives(dir)).toEqual([])
    await expect(collect(readArchive(file))).rejects.toThrow(/no checksum sidecar .* not complete/)
    await expect(verifyArchive(file)).rejects.toThrow(/not complete/)
  })

  it('does not list what a crash left, and a second write replaces it', async () => {
    const file = archiveFileFor(dir, DAY_PARTITION.partition)
    writeFileSync(path.join(dir, `.${path.basename(file)}.999-dead.tmp`), 'half a file')
    writeFileSync(file, 'an archive whose sidecars were never written')
    expect(await listArchives(dir)).toEqual([])

    const summary = await writeDay()

    expect(await listArchives(dir)).toEqual([summary])
    expect(readdirSync(dir).sort()).toEqual([
      'event_log_20231210_0000.avro',
      'event_log_20231210_0000.avro.json',
      'event_log_20231210_0000.avro.sha256',
    ])
    expect(await verifyArchive(file)).toEqual(summary)
  })

  it('gives the same valid file when written twice', async () => {
    const first = await writeDay()
    const second = await writeDay()

    expect(second).toEqual(first)
    expect(await verifyArchive(second.file)).toEqual(second)
  })

  it('replaces an archive with new content and its sidecars with it', async () => {
    await writeDay()
    const shorter = asLogged(ONE_OF_EACH.slice(0, 3), 500)
    const summary = await writeDay(shorter)

    expect(await listArchives(dir)).toEqual([summary])
    expect(await collect(readArchive(summary.file))).toStrictEqual(shorter)
  })

  it('lists archives oldest range first, the one with no lower bound before all', async () => {
    const hour = 3_600_000
    const t = DAY_PARTITION.rangeFrom
    const partitions = [
      { partition: 'event_log_20231210_0200', rangeFrom: t + 2 * hour, rangeTo: t + 3 * hour },
      { partition: 'event_log_before_partitions', rangeFrom: null, rangeTo: t + hour },
      { partition: 'event_log_20231210_0100', rangeFrom: t + hour, rangeTo: t + 2 * hour },
    ]
    for (const meta of partitions)
      await writeArchive(archiveFileFor(dir, meta.partition), meta, [], registry)

    expect((await listArchives(dir)).map((a) => a.partition)).toEqual([
      'event_log_before_partitions',
      'event_log_20231210_0100',
      'event_log_20231210_0200',
    ])
    expect(await listArchives(path.join(dir, 'nowhere'))).toEqual([])
  })

  it('creates the folder', async () => {
    const nested = path.join(dir, 'a', 'b')
    const summary = await writeArchive(
      archiveFileFor(nested, 'p1'),
      { ...DAY_PARTITION, partition: 'p1' },
      [],
      registry,
    )

    expect(await listArchives(nested)).toEqual([summary])
  })

  it('refuses events out of position order and leaves nothing behind', async () => {
    const logged = asLogged(ONE_OF_EACH)
    const swapped = [logged[1], logged[0], ...logged.slice(2)] as LoggedEvent[]

    await expect(writeDay(swapped)).rejects.toThrow(
      'event_log_20231210_0000.avro: position 1 after 2: events must come in position order',
    )
    expect(readdirSync(dir)).toEqual([])
  })

  it('names the event that does not fit its schema', async () => {
    const [first] = asLogged(ONE_OF_EACH, 7) as [LoggedEvent]
    const broken = { ...first, event: { ...first.event, partId: 'four' } } as unknown as LoggedEvent

    await expect(writeDay([broken])).rejects.toThrow(
      /the event at position 7 does not fit its schema \(event\..*partId\)/,
    )
    expect(readdirSync(dir)).toEqual([])
  })

  it('stops when aborted, even while its source hangs, the archive there left as it was', async () => {
    const before = await writeDay()
    const abort = new AbortController()
    async function* hanging(): AsyncGenerator<LoggedEvent> {
      yield* asLogged(ONE_OF_EACH.slice(0, 2))
      setTimeout(() => abort.abort(), 20)
      await new Promise(() => undefined)
    }
    const file = archiveFileFor(dir, DAY_PARTITION.partition)

    await expect(
      writeArchive(file, DAY_PARTITION, hanging(), registry, { signal: abort.signal }),
    ).rejects.toThrow(`${file}: AbortError: The operation was aborted`)
    expect(await listArchives(dir)).toEqual([before])
    expect(await verifyArchive(file)).toEqual(before)
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([])
  })

  it('lets a reader stop early, and the file be replaced after', async () => {
    const { file } = await writeDay()
    for await (const logged of readArchive(file)) {
      expect(logged.position).toBe(1)
      break
    }
    const summary = await writeDay(asLogged(ONE_OF_EACH.slice(0, 1)))

    expect(await verifyArchive(file)).toEqual(summary)
  })

  it('names the file when it cannot be read', async () => {
    const file = archiveFileFor(dir, 'missing')
    await expect(verifyArchive(file)).rejects.toThrow(file)
    await expect(collect(readArchive(file))).rejects.toThrow(file)
  })

  it('takes only partition names that make a file name of their own', () => {
    expect(archiveFileFor('/a', 'event_log_20231210_0000')).toBe('/a/event_log_20231210_0000.avro')
    expect(() => archiveFileFor('/a', '../x')).toThrow('does not make a file name')
    expect(() => archiveFileFor('/a', '.hidden')).toThrow('does not make a file name')
  })
})
