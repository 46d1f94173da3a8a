import { MillstreamError } from '../../errors.js'

/** The part of an aedes client this module relies on: its mqtt-packet parser. */
type Parser = {
  packet: { length: number }
  _parseLength: () => boolean
  _emitError: (err: Error) => void
}

function parserOf(client: unknown): Parser {
  const parser: unknown =
    typeof client === 'object' && client !== null && '_parser' in client
      ? client._parser
      : undefined
  if (
    typeof parser !== 'object' ||
    parser === null ||
    !('_parseLength' in parser) ||
    typeof parser._parseLength !== 'function' ||
    !('_emitError' in parser) ||
    typeof parser._emitError !== 'function' ||
    !('packet' in parser)
  )
    throw new MillstreamError(
      'PROCESSING_FAILED',
      'the embedded broker client has no mqtt-packet parser to bound: aedes changed',
    )
  return parser as Parser
}

/**
 * Bounds the packets one aedes client may send to `maxBytes` (the remaining length of the
 * fixed header). aedes 1.x has no such setting, so this hooks the client's mqtt-packet parser
 * (a private API, held to by a unit test): the length is known from the first bytes, so an
 * oversize packet closes the connection before its body is buffered. MQTT 3.1.1 has no way
 * to refuse one publish, so the publisher learns it from the closed connection.
 */
export function limitPacketSize(client: unknown, maxBytes: number): void {
  const parser = parserOf(client)
  const parseLength = parser._parseLength.bind(parser)
  parser._parseLength = () => {
    const done = parseLength()
    if (done && parser.packet.length > maxBytes) {
      parser._emitError(
        new MillstreamError(
          'INVALID_MESSAGE',
          `MQTT packet of ${parser.packet.length} bytes over EMBEDDED_MQTT_MAX_PACKET_BYTES (${maxBytes})`,
        ),
      )
      return false
    }
    return done
  }
}
