import { pino } from 'pino'
import { RelayThread } from '../../../src/publish/relay-thread'
import { waitFor } from '../../../harness/services'
import {
  relayDoubleData,
  spawnRelayDouble,
  type RelayDoubleBehaviour,
} from '../../doubles/relay-worker-double'

const log = pino({ level: 'silent' })

describe('the relay thread host', () => {
  let relay: RelayThread | undefined

  afterEach(async () => {
    await relay?.stop()
    relay = undefined
  })

  const start = (behaviour: RelayDoubleBehaviour, stopDeadlineMs?: number) => {
    const data = relayDoubleData(behaviour)
    const r = new RelayThread(data, log, { spawn: spawnRelayDouble, stopDeadlineMs })
    r.start()
    relay = r
    return { relay: r, starts: () => Atomics.load(data.starts, 0) }
  }
  const until = (what: string, check: () => boolean) =>
    waitFor(what, () => Promise.resolve(check() || undefined), 5000, 5)

  it('relays the thread’s status and its nudges and lag over the protocol', async () => {
    const { relay: r } = start('steady')
    await until('the thread’s first status', () => r.status().connected)
    expect(r.status()).toMatchObject({ leader: true, published: 0, connected: true })
    r.nudge()
    r.nudge()
    await until('two nudges seen by the thread', () => r.status().published === 2)
    expect(await r.lag()).toBe(7)
    const checks = await r.checks()
    expect(checks.kafka).toEqual({ ok: true, detail: 'connected' })
    expect(checks.relayLag).toEqual({ ok: true, detail: 7 })
  })

  it('starts a thread that died again, and never counts published events back', async () => {
    const { relay: r, starts } = start('dies-first')
    await until('the first thread’s count', () => r.status().published === 5)
    await until('the thread started again', () => starts() === 2)
    await until('the new thread’s status', () => r.status().connected)
    r.nudge()
    await until('the new thread’s nudge counted on top', () => r.status().published === 6)
  })

  it('stops at once when the thread died and is not started again yet', async () => {
    const { relay: r, starts } = start('dies-first')
    await until('the first thread’s count', () => r.status().published === 5)
    await until('the thread gone', () => !r.status().connected)
    const began = Date.now()
    await r.stop()
    relay = undefined
    expect(Date.now() - began).toBeLessThan(500)
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect(starts()).toBe(1)
  })

  it('answers a lag request with unknown when the thread dies before answering', async () => {
    const { relay: r } = start('mute-lag')
    await until('the thread’s first status', () => r.status().connected)
    const lag = r.lag()
    await relay?.stop()
    relay = undefined
    expect(await lag).toBeUndefined()
  })

  it('stops once the thread says it has stopped, ending the thread its timers would keep', async () => {
    const { relay: r } = start('steady')
    await until('the thread’s first status', () => r.status().connected)
    const began = Date.now()
    await r.stop()
    relay = undefined
    expect(Date.now() - began).toBeLessThan(1000)
  })

  it('ends a thread that does not stop by the deadline', async () => {
    const { relay: r, starts } = start('hangs-on-stop', 200)
    await until('the thread’s first status', () => r.status().connected)
    const began = Date.now()
    await r.stop()
    relay = undefined
    const took = Date.now() - began
    expect(took).toBeGreaterThanOrEqual(190)
    expect(took).toBeLessThan(2000)
    // A thread ended on stop is not started again.
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect(starts()).toBe(1)
  })
})
