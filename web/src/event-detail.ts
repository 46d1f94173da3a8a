import type { LoggedEvent } from './api-types.js'

/** The envelope and the machine's id: on every line of a machine's events, so not shown. */
const ENVELOPE = new Set([
  'eventId',
  'type',
  'key',
  'sequence',
  'occurredAt',
  'recordedAt',
  'machineId',
])
const MAX_CHARS = 160

/** A field's value as text: strings as they are, anything else as JSON. */
const text = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? '')

/** One line that says what an event holds, for the recent events table. */
export function eventDetail(event: LoggedEvent): string {
  switch (event.type) {
    case 'MachineStateChanged':
      return `${text(event.previousState)} → ${text(event.state)}${event.reason ? ` (${text(event.reason)})` : ''}`
    case 'PartProduced':
      return `part ${text(event.partId)}, order ${text(event.order)}${event.damaged ? ', scrapped' : ''}`
    case 'MachineMetricsRecorded':
      return Object.entries((event.metrics ?? {}) as Record<string, number>)
        .map(([name, value]) => `${name} ${Number(value).toFixed(1)}`)
        .join(' · ')
    default: {
      const fields = Object.entries(event)
        .filter(([name, value]) => !ENVELOPE.has(name) && value !== null)
        .map(([name, value]) => `${name}: ${text(value)}`)
        .join(', ')
      return fields.length > MAX_CHARS ? `${fields.slice(0, MAX_CHARS - 1)}…` : fields
    }
  }
}
