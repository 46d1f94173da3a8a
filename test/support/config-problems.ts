import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ConfigError, loadConfig } from '../../src/main/config'
import { makeTestPki, type TestPki } from './certificates'

/** The problems `loadConfig(env)` lists, or none when it accepts the environment. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

/** A test PKI (CA, server and client certificates) in a new temporary folder named by `label`. */
export function temporaryPki(label: string): TestPki {
  return makeTestPki(mkdtempSync(path.join(tmpdir(), `millstream-${label}-`)))
}
