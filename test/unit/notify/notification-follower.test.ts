import { pino } from 'pino'
import { waitFor } from '../../../harness/services'
import type { AttemptResult } from '../../../src/notify/delivery-retry'
import {
  NotificationFollower,
  type NotificationObserver,
  type NotificationTarget,
} from '../../../src/notify/notification-follower'
import { AlarmLogDouble, NotificationStoreDouble } from '../../doubles/notification-doubles'
import { LeadershipDouble } from '../../doubles/series-doubles'

const log = pino({ level: 'silent' })

/** Waits (polling every 10 ms, up to 5 s) until `condition` holds. */
const until = (condition: () => boolean) =>
  waitFor('the condition', () => Promise.resolve(condition() ? true : undefined), 5000, 10)

/** A target answering each try with `answer`, recording the event ids it was sent. */
function target(
  name: string,
  answer: (eventId: string, n: number, signal: AbortSignal) => Promise<AttemptResult>,
) {
  const tried: string[] = []
  const t: NotificationTarget = {
    name,
    attempt: (notice, signal) => {
      tried.push(notice.eventId)
      return answer(notice.eventId, tried.length, signal)
    },
  }
  return { target: t, tried }
}

/** The observer's calls, counted per target and outcome. */
function counting(): NotificationObserver & {
  counts: Map<string, number>
  depth: Map<string, number>
} {
  const counts = new Map<string, number>()
  const depth = new Map<string, number>()
  const inc = (outcome: string) => (name: string) =>
    counts.set(`${name}:${outcome}`, (counts.get(`${name}:${outcome}`) ?? 0) + 1)
  return {
    counts,
    depth,
    delivered: inc('delivered'),
    retried: inc('retried'),
    undeliverable: inc('undeliverable'),
    queued: (name, n) => depth.set(name, n),
  }
}

describe('the alarm notification follower', () => {
  let events: AlarmLogDouble
  let store: NotificationStoreDouble
  let leadership: LeadershipDouble
  let observer: ReturnType<typeof counting>
  const followers: NotificationFollower[] = []

  beforeEach(() => {
    events = new AlarmLogDouble()
    store = new NotificationStoreDouble()
    leadership = new LeadershipDouble()
    observer = counting()
  })
  afterEach(async () => {
    await Promise.all(followers.splice(0).map((f) => f.stop()))
  })

  const start = (t: NotificationTarget, budgetMs = 1000): NotificationFollower => {
    const f = new NotificationFollower(
      t,
      leadership,
      events,
      store,
      observer,
      {
        batch: 2,
        pollMs: 5,
        standbyMs: 5,
        retry: { budgetMs, baseDelayMs: 1, maxDelayMs: 2 },
      },
      log,
    )
    followers.push(f)
    f.start()
    return f
  }

  it('delivers each alarm event once, in commit order, and keeps its place past each', async () => {
    const ids = [events.raise('m1', 'hot'), events.raise('m2', 'hot'), events.raise('m1', 'down')]
    const hook = target('webhook:a', () => Promise.resolve({ ok: true }))
    start(hook.target)
    await until(() => hook.tried.length === 3)
    expect(hook.tried).toEqual(ids)
    await until(() => store.cursors.get('webhook:a')?.position === 3)
    expect(observer.counts.get('webhook:a:delivered')).toBe(3)
    expect(store.undeliverable).toEqual([])
  })

  it('retries a failing delivery and counts each retry', async () => {
    const id = events.raise('m1', 'hot')
    const hook = target('webhook:a', (_, n) =>
      Promise.resolve(n < 3 ? { ok: false, retriable: true, reason: 'HTTP 500' } : { ok: true }),
    )
    start(hook.target)
    await until(() => observer.counts.get('webhook:a:delivered') === 1)
    expect(hook.tried).toEqual([id, id, id])
    expect(observer.counts.get('webhook:a:retried')).toBe(2)
  })

  it('records an event undeliverable with its reason and moves on to the next', async () => {
    const first = events.raise('m1', 'hot')
    const second = events.raise('m1', 'down')
    const hook = target('webhook:a', (eventId) =>
      Promise.resolve(
        eventId === first ? { ok: false, retriable: false, reason: 'HTTP 410' } : { ok: true },
      ),
    )
    start(hook.target)
    await until(() => observer.counts.get('webhook:a:delivered') === 1)
    expect(hook.tried).toEqual([first, second])
    expect(store.undeliverable).toEqual([
      expect.objectContaining({ target: 'webhook:a', attempts: 1, reason: 'HTTP 410' }),
    ])
    expect(store.undeliverable[0]?.notice.eventId).toBe(first)
    expect(observer.counts.get('webhook:a:undeliverable')).toBe(1)
  })

  it('lets a target that never answers delay no other target', async () => {
    events.raise('m1', 'hot')
    // Like a request with no deadline: it ends only when the follower stops.
    const stuck = target(
      'webhook:stuck',
      (_, __, signal) =>
        new Promise<AttemptResult>((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(new Error('stopped'))),
        ),
    )
    const good = target('webhook:good', () => Promise.resolve({ ok: true }))
    const stuckFollower = start(stuck.target, 60_000)
    start(good.target)
    await until(() => observer.counts.get('webhook:good:delivered') === 1)
    expect(stuck.tried).toHaveLength(1)
    expect(store.cursors.get('webhook:stuck')).toBeUndefined()
    await stuckFollower.stop()
    // Stopped mid-try, the event is left for the next leader, not recorded undeliverable.
    expect(store.cursors.get('webhook:stuck')).toBeUndefined()
    expect(store.undeliverable).toEqual([])
  })

  it('reports each target queue as the events it has not settled', async () => {
    events.raise('m1', 'hot')
    events.raise('m1', 'down')
    events.raise('m2', 'hot')
    let release: () => void = () => undefined
    const held = new Promise<AttemptResult>((resolve) => (release = () => resolve({ ok: true })))
    const hook = target('webhook:a', () => held)
    start(hook.target)
    await until(() => observer.depth.get('webhook:a') === 3)
    release()
    await until(() => observer.depth.get('webhook:a') === 0)
  })

  it('delivers nothing while another instance leads', async () => {
    leadership.available = false
    events.raise('m1', 'hot')
    const hook = target('webhook:a', () => Promise.resolve({ ok: true }))
    start(hook.target)
    await until(() => leadership.acquires >= 3)
    expect(hook.tried).toEqual([])
  })
})
