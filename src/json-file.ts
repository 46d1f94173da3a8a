import { readFile } from 'node:fs/promises'

/** Problems that stop a file from being used, each a sentence naming where it is. */
export type FileProblems = { ok: false; problems: string[] }

/**
 * Reads a JSON file and hands its body to `check`: a file that cannot be read or is not JSON is
 * one problem, named with its path, so a start-up error can list it with the others.
 */
export async function readCheckedJson<T>(
  path: string,
  check: (body: unknown) => T | FileProblems,
): Promise<T | FileProblems> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    return { ok: false, problems: [`cannot read ${path}: ${(err as Error).message}`] }
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (err) {
    return { ok: false, problems: [`${path} is not JSON: ${(err as Error).message}`] }
  }
  return check(body)
}
