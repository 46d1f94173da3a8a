import { Writable } from 'node:stream'
import { createLogger, logDestination, resolveLogFormat } from '../../src/logger'

function capture(format?: 'json' | 'pretty'): {
  log: ReturnType<typeof createLogger>
  lines: () => string
} {
  const chunks: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  const destination = format === undefined ? sink : logDestination(format, sink)
  return { log: createLogger('info', destination), lines: () => chunks.join('') }
}

describe('the logger', () => {
  it('never writes the values of secret fields', () => {
    const { log, lines } = capture()
    log.info(
      { password: 'pw-1', kafka: { sasl: { password: 'pw-2' } }, headers: { 'x-api-key': 'k-3' } },
      'with secrets',
    )
    log.info({ sasl: { password: 'pw-4', username: 'reader' } }, 'sasl')
    expect(lines()).not.toMatch(/pw-[124]|k-3/)
    expect(lines()).toContain('reader')
  })

  it('sanitises URLs logged under url, mqttUrl and databaseUrl', () => {
    const { log, lines } = capture()
    log.info(
      {
        url: 'mqtts://svc:pw-5@broker:8883',
        mqttUrl: 'mqtt://svc:pw-6@h',
        databaseUrl: 'postgres://u:pw-7@db/x?sslpassword=pw-8',
      },
      'connected',
    )
    expect(lines()).not.toMatch(/pw-[5678]/)
    expect(lines()).toContain('mqtts://svc:***@broker:8883')
  })

  it('redacts credentials quoted in an error message and stack', () => {
    const { log, lines } = capture()
    log.error({ err: new Error('cannot reach postgres://u:pw-9@db/x') }, 'failed')
    log.warn({ error: 'cannot reach mqtt://u:pw-10@h' }, 'failed')
    expect(lines()).not.toMatch(/pw-9|pw-10/)
    expect(lines()).toContain('postgres://u:***@db/x')
  })

  it('writes lines for a person on a terminal and JSON lines elsewhere, unless told', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty')
    expect(resolveLogFormat('auto', false)).toBe('json')
    expect(resolveLogFormat('json', true)).toBe('json')
    expect(resolveLogFormat('pretty', false)).toBe('pretty')
  })

  it('writes pretty lines with the level, message and fields, and the same secrets hidden', () => {
    const { log, lines } = capture('pretty')
    log.warn({ machineId: 'press-7', password: 'pw-9', url: 'mqtt://u:pw-10@h' }, 'broker lost')
    const text = lines()
    expect(text).toMatch(/WARN.*broker lost/)
    expect(text).toContain('press-7')
    expect(text).not.toMatch(/pw-9|pw-10/)
    expect(text).not.toMatch(/^\{/)
  })
})
