import { KafkaJSAggregateError, KafkaJSError, KafkaJSProtocolError } from 'kafkajs'
import { refusalOf } from '../../../src/publish/refusal'
import { tooLarge } from '../../doubles/refusing-publisher'

const protocolError = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError({
    type,
    code,
    retriable,
    message: `broker says ${type}`,
  } as unknown as Error)

describe('telling a refusal for good from other produce failures', () => {
  it('finds MESSAGE_TOO_LARGE behind the non-retriable error the producer throws', () => {
    expect(refusalOf(tooLarge())).toEqual({
      code: 'MESSAGE_TOO_LARGE',
      reason: expect.stringContaining('larger than the max message size'),
    })
  })

  it.each([
    ['RECORD_LIST_TOO_LARGE', 18],
    ['INVALID_RECORD', 87],
  ])('takes %s as a refusal, also inside an aggregate of several brokers', (type, code) => {
    const aggregate = new KafkaJSAggregateError('several', [
      new KafkaJSError('connection closed'),
      protocolError(type, code, false),
    ])
    expect(refusalOf(aggregate)?.code).toBe(type)
  })

  it('does not take an outage, a retriable protocol error or a message that merely says so for one', () => {
    expect(refusalOf(new Error('connect ECONNREFUSED'))).toBeUndefined()
    expect(refusalOf(protocolError('NOT_LEADER_FOR_PARTITION', 6, true))).toBeUndefined()
    expect(
      refusalOf(new KafkaJSError('MESSAGE_TOO_LARGE: message larger than the max')),
    ).toBeUndefined()
    expect(refusalOf('MESSAGE_TOO_LARGE')).toBeUndefined()
  })
})
