import type { PipelineHealth } from './api-types.js'
import { byId, el, setText } from './dom.js'
import { count, decimal, millis, when } from './format.js'

type Fact = { label: string; value: (p: PipelineHealth, perSecond: number | null) => string }

const FACTS: Fact[] = [
  {
    label: 'Relay lag',
    value: (p) => (p.relay ? `${count(p.relay.lagEvents)} events` : 'Kafka off'),
  },
  {
    label: 'Chart lag',
    value: (p) => (p.series ? `${count(p.series.lagEvents)} events` : '–'),
  },
  { label: 'In flight', value: (p) => count(p.inFlight) },
  {
    label: 'Commit latency',
    value: (p) =>
      p.commitLatencyMs
        ? `${millis(p.commitLatencyMs.p50)} p50 · ${millis(p.commitLatencyMs.p99)} p99`
        : '–',
  },
  { label: 'Messages', value: (p, rate) => `${count(p.messagesProcessed)} (${decimal(rate)}/s)` },
  { label: 'Published', value: (p) => (p.relay ? count(p.relay.published) : '–') },
  { label: 'Dead-lettered', value: (p) => count(p.deadLetters) },
  { label: 'Live viewers', value: (p) => count(p.stream.subscribers) },
]

/** The pipeline's health (GET /pipeline), with the message rate between two readings. */
export class PipelinePanel {
  private readonly values: HTMLElement[]
  private previous: { at: number; messages: number } | undefined

  constructor() {
    const list = byId('pipeline')
    this.values = FACTS.map((fact) => {
      const value = el('dd', '', '–')
      list.append(el('dt', '', fact.label), value)
      return value
    })
  }

  show(p: PipelineHealth, now: number): void {
    const at = Date.parse(p.at)
    const before = this.previous
    const perSecond =
      before && at > before.at
        ? ((p.messagesProcessed - before.messages) * 1000) / (at - before.at)
        : null
    this.previous = { at, messages: p.messagesProcessed }
    FACTS.forEach((fact, i) => {
      const node = this.values[i]
      if (node) setText(node, fact.value(p, perSecond))
    })
    setText(byId('pipeline-at'), `at ${when(at, now)}`)
    byId('pipeline').dataset.stale = 'false'
  }

  /** The last reading failed: the figures shown are old. */
  stale(): void {
    byId('pipeline').dataset.stale = 'true'
  }
}
