import { pino } from 'pino'
import {
  ExclusiveIngest,
  type GatedSource,
  type IngestRole,
  type SessionLock,
} from '../../../src/streams/exclusive-ingest'

/** One lock shared by several instances, as PostgreSQL's advisory lock is. */
class SharedLock {
  holder: FakeLock | undefined
  forInstance(): FakeLock {
    return new FakeLock(this)
  }
}

class FakeLock implements SessionLock {
  lost = false
  constructor(private readonly shared: SharedLock) {}
  acquire(): Promise<boolean> {
    if (this.lost) return Promise.resolve(false)
    this.shared.holder ??= this
    return Promise.resolve(this.shared.holder === this)
  }
  verify(): Promise<boolean> {
    return Promise.resolve(this.shared.holder === this && !this.lost)
  }
  release(): Promise<void> {
    if (this.shared.holder === this) this.shared.holder = undefined
    return Promise.resolve()
  }
  /** The holder's database connection died. */
  die(): void {
    this.lost = true
    if (this.shared.holder === this) this.shared.holder = undefined
  }
}

class FakeSource implements GatedSource {
  connects = 0
  connected = false
  failNext = false
  start(): Promise<void> {
    if (this.failNext) {
      this.failNext = false
      return Promise.reject(new Error('broker unreachable'))
    }
    this.connects += 1
    this.connected = true
    return Promise.resolve()
  }
  abandon(): void {
    this.connected = false
  }
  stop(): Promise<void> {
    this.connected = false
    return Promise.resolve()
  }
}

const until = async (check: () => boolean, ms = 1000): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
  return check()
}

describe('one MQTT session holder among instances with one client id', () => {
  const log = pino({ level: 'silent' })
  const gates: ExclusiveIngest[] = []
  afterEach(async () => {
    await Promise.all(gates.splice(0).map((g) => g.stop()))
  })
  const instance = (lock: SessionLock, roles: IngestRole[] = []) => {
    const source = new FakeSource()
    const gate = new ExclusiveIngest(
      lock,
      source,
      { pollMs: 20, onRoleChange: (r) => roles.push(r) },
      log,
    )
    gates.push(gate)
    return { source, gate }
  }

  it('connects only the instance holding the lock; the other stands by without connecting', async () => {
    const shared = new SharedLock()
    const first = instance(shared.forInstance())
    const second = instance(shared.forInstance())
    await first.gate.start()
    await second.gate.start()
    await new Promise((r) => setTimeout(r, 100))
    expect([first.gate.role(), second.gate.role()]).toEqual(['active', 'standby'])
    expect([first.source.connects, second.source.connects]).toEqual([1, 0])
  })

  it('lets a standby take the session once the holder dies', async () => {
    const shared = new SharedLock()
    const firstLock = shared.forInstance()
    const first = instance(firstLock)
    const roles: IngestRole[] = []
    const second = instance(shared.forInstance(), roles)
    await first.gate.start()
    await second.gate.start()
    firstLock.die()
    expect(await until(() => second.gate.role() === 'active')).toBe(true)
    expect(second.source.connected).toBe(true)
    expect(roles).toEqual(['active'])
  })

  it('drops the session at once when its lock is lost, and never holds it beside another', async () => {
    const shared = new SharedLock()
    const lock = shared.forInstance()
    const roles: IngestRole[] = []
    const { source, gate } = instance(lock, roles)
    await gate.start()
    lock.die()
    expect(await until(() => gate.role() === 'standby')).toBe(true)
    expect(source.connected).toBe(false)
    expect(roles).toEqual(['active', 'standby'])
  })

  it('fails the start when the broker cannot be reached, and frees the lock for others', async () => {
    const shared = new SharedLock()
    const lock = shared.forInstance()
    const { source, gate } = instance(lock)
    source.failNext = true
    await expect(gate.start()).rejects.toThrow('broker unreachable')
    expect(shared.holder).toBeUndefined()
  })

  it('lets the lock go when stopped, so a standby takes over', async () => {
    const shared = new SharedLock()
    const first = instance(shared.forInstance())
    const second = instance(shared.forInstance())
    await first.gate.start()
    await second.gate.start()
    await first.gate.stop()
    expect(first.source.connected).toBe(false)
    expect(await until(() => second.gate.role() === 'active')).toBe(true)
  })
})
