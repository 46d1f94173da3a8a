import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  CredentialFile,
  hashPassword,
  verifyPassword,
} from '../../../../src/main/embedded/device-credentials'

describe('device credentials', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'creds-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('hash a password with a salt and its scrypt parameters, and verify it', async () => {
    const a = await hashPassword('pw')
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[^$]+\$[^$]+$/)
    expect(await hashPassword('pw')).not.toBe(a)
    expect(await verifyPassword('pw', a)).toBe(true)
    expect(await verifyPassword('pW', a)).toBe(false)
    expect(await verifyPassword('pw', 'plain')).toBe(false)
  })

  it('keep only hashes in a 0600 file; rotate replaces the password, revoke removes it', async () => {
    const file = new CredentialFile(path.join(dir, 'devices.json'))
    const first = await file.add({ username: 'press-7', role: 'device', machineId: '7' })
    await expect(file.add({ username: 'press-7', role: 'device' })).rejects.toThrow(/exists/)
    expect(statSync(file.path).mode & 0o777).toBe(0o600)
    expect(readFileSync(file.path, 'utf8')).not.toContain(first)
    const second = await file.rotate('press-7')
    const [stored] = await file.list()
    expect(await verifyPassword(first, stored?.hash ?? '')).toBe(false)
    expect(await verifyPassword(second, stored?.hash ?? '')).toBe(true)
    expect(await file.revoke('press-7')).toBe(true)
    expect(await file.list()).toEqual([])
    expect(await file.revoke('press-7')).toBe(false)
  })
})
