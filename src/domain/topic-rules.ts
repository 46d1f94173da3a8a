import { ENTITY_ID_SOURCE } from './ids.js'
import { LEGACY_PRODUCTION_TOPIC, MACHINE_TOPIC_LEAVES, routeTopic } from './topics.js'

/** MQTT's limit on a topic name: a two-byte length prefix. */
export const MAX_TOPIC_BYTES = 65_535

/**
 * What no topic may hold: wildcards, control characters and the BMP's noncharacters (Mosquitto
 * closes the connection on a topic with any of them, as it does for U+0000).
 */
const REFUSED = '#+\\u0000-\\u001F\\u007F-\\u009F\\uFDD0-\\uFDEF\\uFFFE\\uFFFF'

/**
 * A topic a client may publish to, as the OpenAPI document gives it: not `$`-prefixed, none of
 * the refused characters. Tools read a pattern by UTF-16 unit, where a surrogate range would
 * forbid every character past the BMP; a lone surrogate (not UTF-8 at all) and the noncharacters
 * of the other planes are left to the description and `publishTopicProblem`.
 */
export const PUBLISHABLE_TOPIC_TEXT = `^[^$${REFUSED}][^${REFUSED}]*$`

/**
 * The same with the `u` flag, so a lone surrogate is a code point of its own and excluded too.
 */
export const PUBLISHABLE_TOPIC = new RegExp(
  `^[^$${REFUSED}\\uD800-\\uDFFF][^${REFUSED}\\uD800-\\uDFFF]*$`,
  'u',
)

// In `u` mode a surrogate pair is one code point, so only a lone surrogate matches.
const LONE_SURROGATE = /\p{Cs}/u
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0001-\u001F\u007F-\u009F]/
const NONCHARACTER = /\p{Noncharacter_Code_Point}/u

/**
 * Why a topic cannot be published to, or undefined when it can. A broker closes the connection
 * on such a packet, and mqtt.js re-sends it on every reconnect, so nothing like it may leave us.
 */
export function publishTopicProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'must not be empty'
  if (LONE_SURROGATE.test(topic)) return 'must be valid UTF-8 (it holds a lone surrogate)'
  if (topic.includes('\u0000')) return 'must not contain U+0000'
  if (CONTROL.test(topic))
    return 'must not contain control characters (U+0001-U+001F, U+007F-U+009F)'
  if (NONCHARACTER.test(topic)) return 'must not contain Unicode noncharacters (e.g. U+FFFE)'
  if (/[#+]/.test(topic)) return 'must not contain the wildcards # or +'
  if (topic.startsWith('$')) return 'must not start with $ (reserved for the broker)'
  const bytes = Buffer.byteLength(topic, 'utf8')
  if (bytes > MAX_TOPIC_BYTES) return `must be at most ${MAX_TOPIC_BYTES} bytes, not ${bytes}`
  return undefined
}

/** Why the ingest pipeline would not accept a topic, or undefined when it would. */
export function inputTopicProblem(topic: string, topicPrefix: string): string | undefined {
  const problem = publishTopicProblem(topic)
  if (problem) return problem
  return routeTopic(topic, topicPrefix)
    ? undefined
    : `not an input topic: ${inputTopicsHelp(topicPrefix)}`
}

/** The topics the pipeline reads, as a regular expression (for the OpenAPI document too). */
export function inputTopicPattern(topicPrefix: string): RegExp {
  const prefix = topicPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const id = ENTITY_ID_SOURCE
  return new RegExp(
    `^(?:${LEGACY_PRODUCTION_TOPIC}|${prefix}/machines/${id}/(?:${MACHINE_TOPIC_LEAVES.join('|')})|` +
      `${prefix}/parts/[0-9]{1,15}/info|${prefix}/materials/${id})$`,
  )
}

function inputTopicsHelp(prefix: string): string {
  return (
    `one of ${prefix}/machines/{machineId}/(${MACHINE_TOPIC_LEAVES.join('|')}), ` +
    `${prefix}/parts/{partId}/info, ${prefix}/materials/{materialId}, ${LEGACY_PRODUCTION_TOPIC}`
  )
}
