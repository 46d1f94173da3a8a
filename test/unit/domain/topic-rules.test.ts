import {
  inputTopicPattern,
  inputTopicProblem,
  PUBLISHABLE_TOPIC,
  publishTopicProblem,
} from '../../../src/domain/topic-rules'

const publishable = ['factory/machines/7/commands', 'a', 'a//b', 'température/é', 'line/🙂', ' ']
const unpublishable: [string, string][] = [
  ['', 'empty'],
  ['a/#', 'wildcards'],
  ['a/+/b', 'wildcards'],
  ['a\u0000b', 'U+0000'],
  ['$SYS/broker/uptime', '$'],
  ['a/\u0001', 'control characters'],
  ['a/\u0085', 'control characters'],
  ['a/\uFFFE', 'noncharacters'],
  ['a/\uD83D', 'UTF-8'],
  ['\uDE42', 'UTF-8'],
  ['é'.repeat(40_000), 'at most 65535 bytes, not 80000'],
]
// Refused by the rule; the document's pattern leaves it to the description (see PUBLISHABLE_TOPIC_TEXT).
const unpublishableBeyondPattern = ['a/\u{1FFFE}']

describe('topic rules', () => {
  it.each(publishable)('lets %j be published to', (topic) => {
    expect(publishTopicProblem(topic)).toBeUndefined()
    expect(PUBLISHABLE_TOPIC.test(topic)).toBe(true)
  })

  it.each(unpublishable)('refuses %j, saying why', (topic, why) => {
    expect(publishTopicProblem(topic)).toContain(why)
  })

  it.each(unpublishableBeyondPattern)('refuses the noncharacter in %j', (topic) => {
    expect(publishTopicProblem(topic)).toContain('noncharacters')
  })

  it('says in its pattern what it refuses, for every topic short enough for the document', () => {
    for (const [topic] of unpublishable.filter(([t]) => t.length <= 512))
      expect(PUBLISHABLE_TOPIC.test(topic)).toBe(false)
  })

  const inputs = [
    'factory/machines/7/production',
    'factory/machines/press-1.a:b_c/status',
    'factory/machines/7/telemetry',
    'factory/machines/7/commands',
    'factory/parts/4/info',
    'factory/materials/steel-s235',
    'supply-chain',
  ]
  const notInputs = [
    'factory/machines/7',
    'factory/machines/7/other',
    'factory/parts/x/info',
    'factory/materials/a/b',
    'other/machines/7/status',
    'factory/machines/bad id/status',
    'factory/machines/7/production/extra',
  ]

  it.each(inputs)('takes %j as an input topic, by rule and by pattern alike', (topic) => {
    expect(inputTopicProblem(topic, 'factory')).toBeUndefined()
    expect(inputTopicPattern('factory').test(topic)).toBe(true)
  })

  it.each(notInputs)('refuses %j as an input topic, by rule and by pattern alike', (topic) => {
    expect(inputTopicProblem(topic, 'factory')).toContain('not an input topic')
    expect(inputTopicPattern('factory').test(topic)).toBe(false)
  })

  it('escapes the prefix in the pattern', () => {
    expect(inputTopicPattern('plant.a').test('plant.a/parts/1/info')).toBe(true)
    expect(inputTopicPattern('plant.a').test('plantXa/parts/1/info')).toBe(false)
  })
})
