import type { ValidInput } from '../domain/inputs.js'
import type { Logger } from '../logger.js'

export type HeartbeatSweepDeps = {
  /** Machines whose alarms are due a tick (silent ones from before alarms, past `timeoutMs`). */
  silentMachines(timeoutMs: number): Promise<string[]>
  dispatch(input: ValidInput): Promise<unknown>
  timeoutMs: number
  /** The longest a due alarm change waits for its tick. */
  tickMs: number
  log: Logger
}

/**
 * Silence is the absence of messages, so no message can raise its alarm, nor end an on delay or
 * a shelf: this periodic sweep asks each machine whose alarms are due to check itself
 * (passivated ones are woken for it).
 */
export function startHeartbeatSweep(deps: HeartbeatSweepDeps): { stop(): Promise<void> } {
  const every = Math.max(1000, Math.min(deps.tickMs, Math.floor(deps.timeoutMs / 4)))
  let running: Promise<void> | undefined
  const sweep = async () => {
    const machines = await deps.silentMachines(deps.timeoutMs)
    await Promise.all(
      machines.map((machineId) =>
        deps.dispatch({
          entity: 'machine',
          entityKey: machineId,
          idempotencyKey: `heartbeat-check:${Date.now()}`,
          input: { kind: 'heartbeat-check' },
        }),
      ),
    )
  }
  const timer = setInterval(() => {
    running ??= sweep()
      .catch((err: unknown) => deps.log.warn({ err }, 'heartbeat sweep failed'))
      .finally(() => (running = undefined))
  }, every)
  return {
    stop: async () => {
      clearInterval(timer)
      await running
    },
  }
}
