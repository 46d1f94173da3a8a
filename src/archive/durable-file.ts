import { randomBytes } from 'node:crypto'
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'

/** A file written in full and synced under a temporary name beside its destination. */
export type StagedFile<T> = {
  /** What the fill returned. */
  value: T
  /** Renames it into place and syncs the folder, so the rename survives a crash. */
  commit(): Promise<void>
  /** Removes it (when something failed before the commit). */
  discard(): Promise<void>
}

const TEMP_SUFFIX = '.tmp'

/**
 * Writes `file`'s next content under a temporary name in its folder (a rename is atomic only
 * within one file system) and syncs it; `commit` puts it in place. Until then, and after a
 * crash, `file` is as it was.
 */
export async function stageFile<T>(
  file: string,
  fill: (handle: FileHandle) => Promise<T>,
): Promise<StagedFile<T>> {
  const temp = tempNameFor(file)
  const handle = await open(temp, 'wx')
  let value: T
  try {
    value = await fill(handle)
    await handle.sync()
  } catch (err) {
    await handle.close().catch(() => undefined)
    await removeFile(temp).catch(() => undefined)
    throw err
  }
  try {
    await handle.close()
  } catch (err) {
    await removeFile(temp).catch(() => undefined)
    throw err
  }
  return {
    value,
    commit: async () => {
      await rename(temp, file)
      await syncDirectory(path.dirname(file))
    },
    discard: () => removeFile(temp),
  }
}

/** Replaces `file` with `content` atomically and durably. */
export async function replaceFile(file: string, content: string): Promise<void> {
  const staged = await stageFile(file, (handle) => handle.writeFile(content, 'utf8'))
  try {
    await staged.commit()
  } catch (err) {
    await staged.discard().catch(() => undefined)
    throw err
  }
}

/** Removes the files that exist of `files` (all in one folder) and syncs the folder. */
export async function removeFiles(files: string[]): Promise<void> {
  const [first] = files
  if (first === undefined) return
  for (const file of files) await removeFile(file)
  await syncDirectory(path.dirname(first))
}

/** Removes what earlier attempts at `file` left behind: their temporary files, and its own. */
export async function removeLeftovers(file: string): Promise<void> {
  const dir = path.dirname(file)
  const prefix = `.${path.basename(file)}.`
  const leftovers = (await readdir(dir)).filter(
    (name) => name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX),
  )
  await removeFiles(leftovers.map((name) => path.join(dir, name)))
}

/** Dot-first, so listings that look for finished files by suffix pass over it. */
function tempNameFor(file: string): string {
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`
  return path.join(path.dirname(file), `.${path.basename(file)}.${unique}${TEMP_SUFFIX}`)
}

async function removeFile(file: string): Promise<void> {
  try {
    await unlink(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
