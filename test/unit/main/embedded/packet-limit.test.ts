import { limitPacketSize } from '../../../../src/main/embedded/packet-limit'

describe('the embedded broker’s packet size limit', () => {
  it('fails loudly on a client without the parser it hooks', () => {
    expect(() => limitPacketSize({}, 10)).toThrow(/aedes changed/)
  })
})
