import { createHash } from 'node:crypto'
import { mkdir, open, readdir, stat, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import avro from 'avsc'
import { abortReason } from '../abortable-sleep.js'
import type { SchemaRegistry } from '../publish/avro/schema-registry.js'
import {
  headerMetadataOf,
  metaOfHeader,
  syncMarkerFor,
  type ArchiveMeta,
} from './archive-header.js'
import { removeLeftovers, stageFile } from './durable-file.js'
import { envelopeFor, loggedEventOf, type LoggedEvent } from './envelope.js'
import {
  checksumFileOf,
  readSidecars,
  removeSidecars,
  writeSidecars,
  type StoredSummary,
} from './sidecars.js'

export type { ArchiveMeta } from './archive-header.js'
export type { LoggedEvent } from './envelope.js'

/** An archive file and what it holds. */
export type ArchiveSummary = ArchiveMeta & {
  file: string
  events: number
  bytes: number
  sha256: string
  firstPosition: number | null
  lastPosition: number | null
}

export type WriteArchiveOptions = {
  /** Stops the write: the temporary file is removed and an archive already in place stays. */
  signal?: AbortSignal
}

const EXTENSION = '.avro'
/** A file name of its own: no separator, and no leading dot (those are temporary files). */
const PARTITION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
/** Bigger reads than the default 64 KiB for the checksum pass over a whole file. */
const HASH_CHUNK = 1 << 20

/** Where a partition's archive goes: `<dir>/<partition>.avro`. */
export function archiveFileFor(dir: string, partition: string): string {
  if (!PARTITION_NAME.test(partition))
    throw new Error(`partition name ${JSON.stringify(partition)} does not make a file name`)
  return path.join(dir, `${partition}${EXTENSION}`)
}

/**
 * Writes one partition's events, given in position order, as an Avro object container file
 * (deflate), then its sidecars. Streams: a block at a time is in memory. Safe to run again
 * after a crash at any point: it replaces whatever an earlier attempt left.
 */
export async function writeArchive(
  file: string,
  meta: ArchiveMeta,
  events: AsyncIterable<LoggedEvent> | Iterable<LoggedEvent>,
  registry: SchemaRegistry,
  options: WriteArchiveOptions = {},
): Promise<ArchiveSummary> {
  try {
    checkMeta(file, meta)
    await mkdir(path.dirname(file), { recursive: true })
    await removeLeftovers(file)
    const staged = await stageFile(file, (handle) =>
      encodeInto(handle, meta, events, registry, options.signal),
    )
    try {
      // The old archive stops counting before its data is replaced.
      await removeSidecars(file)
      await staged.commit()
    } catch (err) {
      await staged.discard().catch(() => undefined)
      throw err
    }
    const stored: StoredSummary = {
      partition: meta.partition,
      rangeFrom: meta.rangeFrom,
      rangeTo: meta.rangeTo,
      events: staged.value.positions.events,
      bytes: staged.value.bytes,
      sha256: staged.value.sha256,
      firstPosition: staged.value.positions.first,
      lastPosition: staged.value.positions.last,
    }
    await writeSidecars(file, stored)
    return { file, ...stored }
  } catch (err) {
    throw naming(file, err)
  }
}

/**
 * Checks an archive from end to end: the checksum, that every event decodes with the writer
 * schemas in its header, in position order, and that header and sidecars agree with the data.
 */
export async function verifyArchive(file: string): Promise<ArchiveSummary> {
  try {
    const stored = await readSidecars(file)
    const positions = new PositionTally()
    for await (const logged of checkedEvents(file, stored)) positions.add(logged.position)
    if (positions.first !== stored.firstPosition || positions.last !== stored.lastPosition)
      throw new Error(
        `holds positions ${positions.first}..${positions.last}, its summary says ` +
          `${stored.firstPosition}..${stored.lastPosition}`,
      )
    return { file, ...stored }
  } catch (err) {
    throw naming(file, err)
  }
}

/**
 * The events of an archive in file order, after its checksum is checked. With `registry`
 * they are read into the current schemas (an archive written with older ones still reads);
 * without, as written.
 */
export async function* readArchive(
  file: string,
  registry?: SchemaRegistry,
): AsyncIterable<LoggedEvent> {
  try {
    yield* checkedEvents(file, await readSidecars(file), registry)
  } catch (err) {
    throw naming(file, err)
  }
}

/**
 * The complete archives in `dir` (checksum sidecar present), oldest range first; none when
 * `dir` does not exist. It reads sidecars and sizes only: a corrupted byte shows when the
 * archive is read or verified. A sidecar that does not agree with its file is an error.
 */
export async function listArchives(dir: string): Promise<ArchiveSummary[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw naming(dir, err)
  }
  const present = new Set(names)
  const archives: ArchiveSummary[] = []
  for (const name of names) {
    if (name.startsWith('.') || !name.endsWith(EXTENSION)) continue
    if (!present.has(checksumFileOf(name))) continue // not finished
    const file = path.join(dir, name)
    try {
      const stored = await readSidecars(file)
      if (`${stored.partition}${EXTENSION}` !== name)
        throw new Error(`its summary is of partition ${stored.partition}`)
      const { size } = await stat(file)
      if (size !== stored.bytes)
        throw new Error(`is ${size} bytes, its summary says ${stored.bytes}`)
      archives.push({ file, ...stored })
    } catch (err) {
      throw naming(file, err)
    }
  }
  return archives.sort(byRange)
}

/** The encoded file into `handle`, hashed on the way. */
async function encodeInto(
  handle: FileHandle,
  meta: ArchiveMeta,
  events: AsyncIterable<LoggedEvent> | Iterable<LoggedEvent>,
  registry: SchemaRegistry,
  signal: AbortSignal | undefined,
): Promise<{ sha256: string; bytes: number; positions: PositionTally }> {
  const envelope = envelopeFor(registry)
  const positions = new PositionTally()
  async function* records(): AsyncGenerator<unknown> {
    for await (const logged of untilAborted(events, signal)) {
      positions.add(logged.position)
      yield envelope.toRecord(logged)
    }
  }
  // The header is written even with no event: an empty partition gives a valid, empty file.
  // (avsc takes `metadata` though its typings leave it out.)
  const options = {
    codec: 'deflate',
    writeHeader: 'always' as const,
    syncMarker: syncMarkerFor(meta),
    metadata: headerMetadataOf(meta),
  }
  const encoder = new avro.streams.BlockEncoder(envelope.schema, options)
  let invalid: unknown
  encoder.on('typeError', (_err: unknown, value: unknown) => {
    invalid = value
  })
  const hash = createHash('sha256')
  let bytes = 0
  try {
    await pipeline(
      Readable.from(records()),
      encoder,
      async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) {
          hash.update(chunk)
          bytes += chunk.length
          await writeFully(handle, chunk)
        }
      },
      { signal },
    )
  } catch (err) {
    if (invalid === undefined) throw err
    throw new Error(`${describeInvalid(envelope.type, invalid)}: ${(err as Error).message}`, {
      cause: err,
    })
  }
  return { sha256: hash.digest('hex'), bytes, positions }
}

/**
 * `events` one by one, given up as soon as `signal` aborts, even while the source hangs: from
 * Node.js 24 a pipeline settles only once its source's `return()` does, and a source stuck in an
 * await never answers it, so the source is left to itself here instead of awaited.
 */
async function* untilAborted<T>(
  events: AsyncIterable<T> | Iterable<T>,
  signal: AbortSignal | undefined,
): AsyncGenerator<T> {
  if (signal === undefined) {
    yield* events
    return
  }
  const aborted = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(abortReason(signal))
    else signal.addEventListener('abort', () => reject(abortReason(signal)), { once: true })
  })
  // Raced below; an abort after the source ended rejects it with nobody waiting.
  aborted.catch(() => undefined)
  const source = (async function* () {
    yield* events
  })()
  try {
    for (;;) {
      const next = await Promise.race([source.next(), aborted])
      if (next.done === true) return
      yield next.value
    }
  } finally {
    source.return(undefined).catch(() => undefined)
  }
}

/** The events of a file checked against its sidecars: size and checksum first, then header and count. */
async function* checkedEvents(
  file: string,
  stored: StoredSummary,
  registry?: SchemaRegistry,
): AsyncGenerator<LoggedEvent> {
  // One handle for both passes: the bytes decoded are the bytes hashed, whatever renames happen.
  const handle = await open(file, 'r')
  try {
    const { size } = await handle.stat()
    if (size !== stored.bytes) throw new Error(`is ${size} bytes, its summary says ${stored.bytes}`)
    const sha256 = await sha256Of(handle)
    if (sha256 !== stored.sha256)
      throw new Error(`sha256 is ${sha256}, its checksum sidecar says ${stored.sha256}`)
    const decoder = new avro.streams.BlockDecoder(
      registry === undefined ? {} : { readerSchema: envelopeFor(registry).type },
    )
    let header: Record<string, Buffer> | undefined
    decoder.on(
      'metadata',
      (_type: unknown, _codec: unknown, h: { meta: Record<string, Buffer> }) => {
        header = h.meta
      },
    )
    const source = handle.createReadStream({ start: 0, autoClose: false })
    source.on('error', (err) => decoder.destroy(err))
    source.pipe(decoder)
    let events = 0
    try {
      for await (const record of decoder as AsyncIterable<unknown>) {
        if (events === 0) checkHeader(header, stored)
        events += 1
        yield loggedEventOf(record)
      }
    } finally {
      source.destroy()
    }
    checkHeader(header, stored)
    if (events !== stored.events)
      throw new Error(`holds ${events} events, its summary says ${stored.events}`)
  } finally {
    await handle.close()
  }
}

function checkHeader(header: Record<string, Buffer> | undefined, stored: StoredSummary): void {
  if (header === undefined) throw new Error('no Avro header')
  const meta = metaOfHeader(header)
  if (
    meta.partition !== stored.partition ||
    meta.rangeFrom !== stored.rangeFrom ||
    meta.rangeTo !== stored.rangeTo
  )
    throw new Error(`its header says ${describeMeta(meta)}, its summary ${describeMeta(stored)}`)
}

function checkMeta(file: string, meta: ArchiveMeta): void {
  if (path.basename(file) !== path.basename(archiveFileFor('.', meta.partition)))
    throw new Error(
      `the archive of partition ${meta.partition} goes to archiveFileFor(dir, partition)`,
    )
  const bounds = meta.rangeFrom === null ? [meta.rangeTo] : [meta.rangeFrom, meta.rangeTo]
  if (!bounds.every(Number.isSafeInteger) || (meta.rangeFrom ?? -Infinity) >= meta.rangeTo)
    throw new Error(`not a range of epoch milliseconds: ${describeMeta(meta)}`)
}

/** Counts events and checks they come in position order, as the log has them. */
class PositionTally {
  events = 0
  first: number | null = null
  last: number | null = null

  add(position: number): void {
    if (!Number.isSafeInteger(position))
      throw new Error(`position ${position} is not a safe integer`)
    if (this.last !== null && position <= this.last)
      throw new Error(`position ${position} after ${this.last}: events must come in position order`)
    this.first ??= position
    this.last = position
    this.events += 1
  }
}

/** Which field of which event did not fit, for an error worth reading. */
function describeInvalid(type: avro.Type, value: unknown): string {
  const paths: string[] = []
  type.isValid(value, { errorHook: (at) => paths.push(at.join('.')) })
  const position = (value as { position?: unknown }).position
  return `the event at position ${String(position)} does not fit its schema (${paths.join(', ') || 'unknown field'})`
}

function describeMeta(meta: ArchiveMeta): string {
  return `${meta.partition} [${meta.rangeFrom ?? '-inf'}, ${meta.rangeTo})`
}

function byRange(a: ArchiveSummary, b: ArchiveSummary): number {
  if (a.rangeFrom !== b.rangeFrom) {
    if (a.rangeFrom === null) return -1
    if (b.rangeFrom === null) return 1
    return a.rangeFrom - b.rangeFrom
  }
  return a.rangeTo - b.rangeTo || a.partition.localeCompare(b.partition)
}

async function sha256Of(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256')
  const stream = handle.createReadStream({ start: 0, autoClose: false, highWaterMark: HASH_CHUNK })
  for await (const chunk of stream) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** A write may take fewer bytes than given; the rest follows. */
async function writeFully(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset)
    offset += bytesWritten
  }
}

/** The error with the file it concerns in its message (a stream's errors name none). */
function naming(file: string, err: unknown): Error {
  const error = err instanceof Error ? err : new Error(String(err))
  if (error.message.includes(file)) return error
  return new Error(`${file}: ${error.message}`, { cause: error })
}
