import { MillstreamError } from '../errors.js'
import { viewsOf } from '../read/alarm-queries.js'
import type { MachineAlarms } from '../read/ports.js'
import type { MessageBus } from '../streams/mqtt-publisher.js'
import type { AttemptResult } from './delivery-retry.js'
import type { AlarmNotice } from './committed-alarm-events.js'

/** Where an alarm's state is kept retained: `{prefix}/alarms/{machineId}/{ruleId}`. */
export function alarmTopic(prefix: string, machineId: string, ruleId: string): string {
  return `${prefix}/alarms/${machineId}/${ruleId}`
}

/**
 * The retained payload for an alarm: its view as the API shows it while it is not normal, or
 * empty once normal (an empty retained message clears the broker's copy, so the light goes off).
 */
export function alarmPayload(
  machineId: string,
  ruleId: string,
  alarms: MachineAlarms | undefined,
): string {
  const view = alarms && viewsOf(machineId, alarms).find((v) => v.ruleId === ruleId)
  return view && view.state !== 'normal' ? JSON.stringify(view) : ''
}

/**
 * Publishes the alarm's current state (read when the event is delivered, so a follower catching
 * up converges on the state now rather than replaying each step), retained, at QoS 1.
 */
export async function publishAlarmState(
  bus: MessageBus,
  prefix: string,
  notice: AlarmNotice,
  current: (machineId: string) => Promise<MachineAlarms | undefined>,
): Promise<AttemptResult> {
  try {
    const payload = alarmPayload(notice.machineId, notice.ruleId, await current(notice.machineId))
    await bus.publish(alarmTopic(prefix, notice.machineId, notice.ruleId), payload, {
      qos: 1,
      retain: true,
    })
    return { ok: true }
  } catch (err) {
    const retriable = !(err instanceof MillstreamError) || err.retriable
    return { ok: false, retriable, reason: err instanceof Error ? err.message : String(err) }
  }
}
