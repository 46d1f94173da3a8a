import type { MqttClient } from 'mqtt'
import type { LoadCommand, LoadReport } from './protocol'

type StartCommand = Extract<LoadCommand, { type: 'start' | 'start-sparkplug' }>

/** What a load process has done, and how far the bench lets it go. */
export type LoadState = {
  published: number
  acked: number
  failed: number
  /** Closed loop: messages allowed in all. */
  allowed: number
  /** Open loop: messages per second (0 in a closed loop), since when, and the count then. */
  rate: number
  rateFrom: number
  rateBase: number
}

export function newLoadState(): LoadState {
  return { published: 0, acked: 0, failed: 0, allowed: 0, rate: 0, rateFrom: 0, rateBase: 0 }
}

/** Messages due now: all allowed (closed loop) or as many as the rate has earned (open loop). */
export function due(s: LoadState): number {
  if (s.rate > 0) return s.rateBase + Math.floor(((Date.now() - s.rateFrom) * s.rate) / 1000)
  return s.allowed
}

/**
 * Makes this process a load process: it answers the bench's commands (`start` of `type`, then
 * it says it is ready; allow; rate; stop, which ends `clients()` and says the final counts),
 * runs `pump` every 2 ms and reports its progress every 100 ms.
 */
export function serveLoad<T extends StartCommand['type']>(
  type: T,
  state: LoadState,
  handlers: {
    start(command: Extract<StartCommand, { type: T }>): Promise<void>
    pump(): void
    clients(): MqttClient[]
  },
): void {
  const report = () => {
    const { published, acked, failed } = state
    const r: LoadReport = { type: 'progress', published, acked, failed }
    // The bench may have let go of us already (it stops listening once the run is over).
    if (process.connected) process.send?.(r)
  }
  process.on('message', (raw: LoadCommand) => {
    if (raw.type === type) {
      handlers.start(raw as Extract<StartCommand, { type: T }>).then(report, (err: unknown) => {
        console.error(`${type}: connect failed`, err)
        process.exit(1)
      })
    } else if (raw.type === 'allow') {
      state.rate = 0
      state.allowed = Math.max(state.allowed, raw.upTo)
    } else if (raw.type === 'rate') {
      state.rate = raw.perSecond
      state.rateFrom = Date.now()
      state.rateBase = state.published
      state.allowed = state.published
    } else if (raw.type === 'stop') {
      state.rate = 0
      state.allowed = state.published
      void Promise.all(handlers.clients().map((c) => c.endAsync())).finally(() => {
        report()
        process.disconnect?.()
      })
    }
  })
  setInterval(() => handlers.pump(), 2).unref()
  setInterval(report, 100).unref()
}
