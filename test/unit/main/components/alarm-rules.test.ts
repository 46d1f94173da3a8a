import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { alarmRules } from '../../../../src/main/components/alarm-rules'
import { ConfigError, loadConfig } from '../../../../src/main/config'

const silentRule = (afterSeconds: number) =>
  JSON.stringify({ rules: [{ id: 'quiet', kind: 'silent', severity: 'minor', afterSeconds }] })

describe('alarm rules component', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alarm-rules-'))
  const log = pino({ level: 'silent' })

  it('serves the built-in rules without a file', async () => {
    const store = await alarmRules(loadConfig({}), log).start()
    expect(store.file).toBeNull()
    expect(store.current().map((r) => r.id)).toEqual(['silent', 'scrap-rate'])
  })

  it('stops the start with every problem of the file, named by the setting', async () => {
    const file = join(dir, 'bad.json')
    writeFileSync(file, JSON.stringify({ rules: [{ id: 'a', kind: 'silent' }] }))
    const start = alarmRules(loadConfig({ ALARM_RULES_FILE: file }), log).start()
    await expect(start).rejects.toBeInstanceOf(ConfigError)
    await expect(start).rejects.toThrow(/ALARM_RULES_FILE .*severity[\s\S]*afterSeconds/)
  })

  it('applies a reloaded file, and keeps the rules before a reload with problems', async () => {
    const file = join(dir, 'rules.json')
    writeFileSync(file, silentRule(60))
    const component = alarmRules(loadConfig({ ALARM_RULES_FILE: file }), log)
    const store = await component.start()
    try {
      expect(store.current()).toMatchObject([{ id: 'quiet', afterMs: 60_000 }])
      writeFileSync(file, silentRule(90))
      expect((await store.reload()).ok).toBe(true)
      expect(store.current()).toMatchObject([{ id: 'quiet', afterMs: 90_000 }])
      writeFileSync(file, '{ not json')
      expect((await store.reload()).ok).toBe(false)
      expect(store.current()).toMatchObject([{ id: 'quiet', afterMs: 90_000 }])
      expect(store.problems()[0]).toMatch(/is not JSON/)
    } finally {
      await component.stop()
    }
  })

  it('reads the file again on SIGHUP', async () => {
    const file = join(dir, 'hup.json')
    writeFileSync(file, silentRule(60))
    const component = alarmRules(
      loadConfig({ ALARM_RULES_FILE: file, ALARM_RULES_POLL_MS: '600000' }),
      log,
    )
    const store = await component.start()
    try {
      writeFileSync(file, silentRule(120))
      process.emit('SIGHUP', 'SIGHUP')
      const deadline = Date.now() + 2000
      while (store.current()[0]?.kind === 'silent' && Date.now() < deadline) {
        const rule = store.current()[0]
        if (rule?.kind === 'silent' && rule.afterMs === 120_000) break
        await new Promise((r) => setTimeout(r, 10))
      }
      expect(store.current()).toMatchObject([{ afterMs: 120_000 }])
    } finally {
      await component.stop()
    }
  })
})
