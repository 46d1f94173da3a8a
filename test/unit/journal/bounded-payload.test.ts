import { createHash } from 'node:crypto'
import { boundedPayload } from '../../../src/journal/bounded-payload'

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('a dead letter’s bounded payload', () => {
  it('keeps the first bytes of a larger input, with the whole input’s size and digest', () => {
    const input = Buffer.alloc(700_000, 'x')
    input.write('{"start":', 0)
    const bounded = boundedPayload(input, 4096)
    expect(bounded.kept).toEqual(input.subarray(0, 4096))
    expect(bounded.kept.buffer.byteLength).toBeLessThan(input.length)
    expect(bounded).toMatchObject({ size: 700_000, sha256: sha256(input), truncated: true })
  })

  it('keeps an input at or under the bound whole', () => {
    const input = Buffer.alloc(4096, 'y')
    expect(boundedPayload(input, 4096)).toEqual({
      kept: input,
      size: 4096,
      sha256: sha256(input),
      truncated: false,
    })
  })
})
