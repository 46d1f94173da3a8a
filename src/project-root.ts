import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * The project's root: the nearest folder above this module holding package.json. Finding it
 * (rather than counting `..`) keeps schemas/ and db/ reachable from dist/ and from the
 * bench's .build/ alike.
 */
export const PROJECT_ROOT = findRoot(__dirname)

/** A path inside the project, e.g. `projectPath('schemas', 'avro')`. */
export function projectPath(...segments: string[]): string {
  return path.join(PROJECT_ROOT, ...segments)
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`)
  }
}
