import { Lifecycle, type Component } from '../../src/lifecycle'
import { createLogger } from '../../src/logger'

const log = createLogger('silent')

/** A component that records its start and stop in `events`. */
function part(
  name: string,
  events: string[],
  behaviour: { failStart?: boolean; failStop?: boolean; ok?: boolean } = {},
): Component<string> {
  return {
    name,
    start: () => {
      events.push(`start ${name}`)
      return behaviour.failStart
        ? Promise.reject(new Error(`${name} would not start`))
        : Promise.resolve(`${name} value`)
    },
    stop: () => {
      events.push(`stop ${name}`)
      return behaviour.failStop ? Promise.reject(new Error(`${name} stuck`)) : Promise.resolve()
    },
    checks: () => Promise.resolve({ [name]: { ok: behaviour.ok ?? true } }),
  }
}

describe('Lifecycle', () => {
  it('starts in order, hands on what each start yields, and stops in reverse', async () => {
    const events: string[] = []
    const life = new Lifecycle(log)
    expect(await life.start(part('database', events))).toBe('database value')
    await life.start(part('actors', events))
    await life.start(part('http', events))
    await life.stop()
    expect(events).toEqual([
      'start database',
      'start actors',
      'start http',
      'stop http',
      'stop actors',
      'stop database',
    ])
  })

  it('tells every component that shutdown began before it stops the first', async () => {
    const events: string[] = []
    const life = new Lifecycle(log)
    for (const name of ['database', 'actors', 'http']) {
      await life.start({
        ...part(name, events),
        stopping: () => void events.push(`stopping ${name}`),
      })
    }
    await life.stop()
    expect(events.slice(3)).toEqual([
      'stopping http',
      'stopping actors',
      'stopping database',
      'stop http',
      'stop actors',
      'stop database',
    ])
  })

  it('stops each component once, however often stop is called', async () => {
    const events: string[] = []
    const life = new Lifecycle(log)
    await life.start(part('database', events))
    await Promise.all([life.stop(), life.stop()])
    await life.stop()
    expect(events.filter((e) => e.startsWith('stop'))).toEqual(['stop database'])
  })

  it('stops the failed component and everything before it when a start fails', async () => {
    const events: string[] = []
    const life = new Lifecycle(log)
    await life.start(part('database', events))
    await expect(life.start(part('broker', events, { failStart: true }))).rejects.toThrow(
      'broker would not start',
    )
    expect(events).toEqual(['start database', 'start broker', 'stop broker', 'stop database'])
  })

  it('goes on stopping the rest when one stop fails', async () => {
    const events: string[] = []
    const life = new Lifecycle(log)
    await life.start(part('database', events))
    await life.start(part('relay', events, { failStop: true }))
    await life.start(part('http', events))
    await life.stop()
    expect(events.slice(3)).toEqual(['stop http', 'stop relay', 'stop database'])
  })

  it('reports the checks of every started component, and none after stopping', async () => {
    const life = new Lifecycle(log)
    await life.start(part('postgres', []))
    await life.start(part('kafka', [], { ok: false }))
    expect(await life.checks()).toEqual({ postgres: { ok: true }, kafka: { ok: false } })
    await life.stop()
    expect(await life.checks()).toEqual({})
  })
})
