import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { removeFiles, replaceFile } from './durable-file.js'

const SHA256_HEX = /^[0-9a-f]{64}$/

/** What the summary sidecar holds: the archive's summary but for where it is. */
const storedSummary = z.strictObject({
  partition: z.string().min(1),
  rangeFrom: z.number().int().nullable(),
  rangeTo: z.number().int(),
  events: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(SHA256_HEX),
  firstPosition: z.number().int().nullable(),
  lastPosition: z.number().int().nullable(),
})
export type StoredSummary = z.infer<typeof storedSummary>

/** `<file>.sha256`: one line in `sha256sum` format, so `sha256sum -c` checks the file. */
export function checksumFileOf(file: string): string {
  return `${file}.sha256`
}

/** `<file>.json`: the summary (the event count cannot be in a header written before the events). */
export function summaryFileOf(file: string): string {
  return `${file}.json`
}

/**
 * Writes the summary, then the checksum: an archive counts as complete once its checksum
 * sidecar exists, so that one goes last.
 */
export async function writeSidecars(file: string, summary: StoredSummary): Promise<void> {
  await replaceFile(summaryFileOf(file), `${JSON.stringify(summary, null, 2)}\n`)
  await replaceFile(checksumFileOf(file), `${summary.sha256}  ${path.basename(file)}\n`)
}

/** Removes the sidecars, checksum first: from then on the file no longer counts as complete. */
export function removeSidecars(file: string): Promise<void> {
  return removeFiles([checksumFileOf(file), summaryFileOf(file)])
}

/**
 * The summary of a complete archive, from its sidecars; throws when the checksum sidecar is
 * missing, names another file, or disagrees with the summary. It does not read the data file.
 */
export async function readSidecars(file: string): Promise<StoredSummary> {
  const sha256 = await readChecksum(file)
  const where = summaryFileOf(file)
  const text = await readFile(where, 'utf8')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`, { cause: err })
  }
  const summary = storedSummary.safeParse(parsed)
  if (!summary.success)
    throw new Error(`${where}: not an archive summary: ${summary.error.message}`)
  if (summary.data.sha256 !== sha256)
    throw new Error(`${where}: its sha256 is not the one in ${checksumFileOf(file)}`)
  return summary.data
}

async function readChecksum(file: string): Promise<string> {
  const where = checksumFileOf(file)
  let text: string
  try {
    text = await readFile(where, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${file}: no checksum sidecar ${where}: the archive is not complete`, {
        cause: err,
      })
    throw err
  }
  const match = /^([0-9a-f]{64}) [ *](.+)\n?$/.exec(text)
  if (!match?.[1] || match[2] !== path.basename(file))
    throw new Error(`${where}: expected "<sha256>  ${path.basename(file)}"`)
  return match[1]
}
