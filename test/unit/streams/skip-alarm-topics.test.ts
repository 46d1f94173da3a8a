import { from, lastValueFrom, toArray } from 'rxjs'
import type { InboundMessage } from '../../../src/streams/inbound'
import { skipAlarmTopics } from '../../../src/streams/skip-alarm-topics'

describe('the ingest of the alarm topics', () => {
  it('acknowledges and drops the service own alarm states, passing every input on', async () => {
    const acked: string[] = []
    const message = (topic: string): InboundMessage => ({
      topic,
      payload: Buffer.from('{}'),
      receivedAt: 0,
      ack: () => acked.push(topic),
    })
    const passed = await lastValueFrom(
      from([
        message('factory/machines/m1/telemetry'),
        message('factory/alarms/m1/spindle-hot'),
        message('factory/alarmsX/m1'),
      ]).pipe(skipAlarmTopics('factory'), toArray()),
    )
    expect(passed.map((m) => m.topic)).toEqual([
      'factory/machines/m1/telemetry',
      'factory/alarmsX/m1',
    ])
    expect(acked).toEqual(['factory/alarms/m1/spindle-hot'])
  })
})
