import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  credentialsFile,
  LEGACY_SUPERUSER_PASSWORD,
  loadOrCreateCredentials,
} from '../../../../src/main/embedded/postgres-credentials'

describe('embedded PostgreSQL credentials', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-creds-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('are made at random per data folder, kept 0600, and read back the same at the next start', () => {
    const first = loadOrCreateCredentials(dir)
    expect(first.superuser).toMatch(/^[0-9a-f]{48}$/)
    expect(first.service).toMatch(/^[0-9a-f]{48}$/)
    expect(first.service).not.toBe(first.superuser)
    expect(first.superuser).not.toBe(LEGACY_SUPERUSER_PASSWORD)
    expect(statSync(credentialsFile(dir)).mode & 0o777).toBe(0o600)
    expect(loadOrCreateCredentials(dir)).toEqual(first)

    const other = mkdtempSync(path.join(os.tmpdir(), 'pg-creds-'))
    try {
      expect(loadOrCreateCredentials(other).service).not.toBe(first.service)
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })

  it('refuse a file that holds no passwords instead of overwriting it', () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'pg-creds-'))
    try {
      writeFileSync(credentialsFile(bad), JSON.stringify({ superuser: 'x' }))
      expect(() => loadOrCreateCredentials(bad)).toThrow(/pg-credentials\.json/)
      expect(readFileSync(credentialsFile(bad), 'utf8')).toBe('{"superuser":"x"}')
    } finally {
      rmSync(bad, { recursive: true, force: true })
    }
  })
})
