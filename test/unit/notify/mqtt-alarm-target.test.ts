import { MillstreamError } from '../../../src/errors'
import type { AlarmNotice } from '../../../src/notify/committed-alarm-events'
import { alarmPayload, alarmTopic, publishAlarmState } from '../../../src/notify/mqtt-alarm-target'
import type { MachineAlarms } from '../../../src/read/ports'
import type { MessageBus, PublishOptions } from '../../../src/streams/mqtt-publisher'

const raised: MachineAlarms = {
  alarms: {
    'spindle-hot': {
      ruleId: 'spindle-hot',
      ruleKind: 'threshold',
      severity: 'major',
      state: 'active-unacknowledged',
      raisedAt: Date.UTC(2026, 11, 7, 20),
      detail: 'spindleTemp 83.5 > 80',
      acknowledgedAt: null,
      acknowledgedBy: null,
      clearedAt: null,
    },
  },
  shelves: {},
}
const normal: MachineAlarms = { alarms: {}, shelves: {} }

const notice: AlarmNotice = {
  eventId: '3f1c8a52-5d7e-4b1a-9c2e-1f0a6b7d8e90',
  type: 'AlarmCleared',
  machineId: 'press-7',
  ruleId: 'spindle-hot',
  occurredAt: 0,
  payload: {},
}

class BusDouble implements MessageBus {
  readonly sent: { topic: string; payload: string; options?: PublishOptions }[] = []
  constructor(private readonly failWith?: MillstreamError) {}
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void> {
    if (this.failWith) return Promise.reject(this.failWith)
    this.sent.push({ topic, payload: payload.toString(), options })
    return Promise.resolve()
  }
}

describe('the MQTT alarm topics', () => {
  it('name the machine and the rule under the prefix', () => {
    expect(alarmTopic('factory', 'press-7', 'spindle-hot')).toBe(
      'factory/alarms/press-7/spindle-hot',
    )
  })

  it('carry the alarm as the API shows it while it is not normal', () => {
    const view = JSON.parse(alarmPayload('press-7', 'spindle-hot', raised)) as Record<
      string,
      unknown
    >
    expect(view).toMatchObject({
      machineId: 'press-7',
      ruleId: 'spindle-hot',
      severity: 'major',
      state: 'active-unacknowledged',
    })
  })

  it('carry nothing once the alarm is normal, or for a machine with no row', () => {
    expect(alarmPayload('press-7', 'spindle-hot', normal)).toBe('')
    expect(alarmPayload('press-7', 'spindle-hot', undefined)).toBe('')
  })

  it('are published retained at QoS 1, empty to clear the retained state', async () => {
    const bus = new BusDouble()
    const r = await publishAlarmState(bus, 'factory', notice, () => Promise.resolve(normal))
    expect(r).toEqual({ ok: true })
    expect(bus.sent).toEqual([
      {
        topic: 'factory/alarms/press-7/spindle-hot',
        payload: '',
        options: { qos: 1, retain: true },
      },
    ])
  })

  it('retry a timed-out publish and give up on one the broker refuses', async () => {
    const timedOut = new BusDouble(
      new MillstreamError('PUBLISH_TIMEOUT', 'timed out', { retriable: true }),
    )
    const refused = new BusDouble(new MillstreamError('PUBLISH_REFUSED', 'refused'))
    const read = () => Promise.resolve(raised)
    expect(await publishAlarmState(timedOut, 'factory', notice, read)).toMatchObject({
      ok: false,
      retriable: true,
    })
    expect(await publishAlarmState(refused, 'factory', notice, read)).toMatchObject({
      ok: false,
      retriable: false,
    })
  })
})
