import type { ValidInput } from '../domain/inputs.js'
import type { Logger } from '../logger.js'

export type HeartbeatSweepDeps = {
  /** Machines not heard from for `timeoutMs` that have no silent alert yet. */
  silentMachines(timeoutMs: number): Promise<string[]>
  dispatch(input: ValidInput): Promise<unknown>
  timeoutMs: number
  log: Logger
}

/**
 * Silence is the absence of messages, so no message can raise its alert: this periodic sweep
 * asks each machine that went quiet to check itself (passivated ones are woken for it).
 */
export function startHeartbeatSweep(deps: HeartbeatSweepDeps): { stop(): Promise<void> } {
  const every = Math.max(1000, Math.floor(deps.timeoutMs / 4))
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
