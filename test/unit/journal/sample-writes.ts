import type { EntityWrite } from '../../../src/actors/ports'
import type { DomainEvent } from '../../../src/domain/events'

const event = (key: string, sequence: number, type: string): DomainEvent =>
  ({
    eventId: `0190b6a0-0000-7000-8000-${String(sequence).padStart(12, '0')}`,
    type,
    key,
    sequence,
    occurredAt: 1_700_000_000_000 + sequence,
    recordedAt: 1_700_000_000_500 + sequence,
  }) as DomainEvent

/** A group with every kind of row the commit statement writes: events, inputs with and without events, projections, tallies, a snapshot. */
export function sampleWrites(): EntityWrite[] {
  return [
    {
      entityType: 'material',
      entityId: 'steel',
      inputs: [
        { idempotencyKey: 'k-1', eventCount: 1 },
        { idempotencyKey: 'k-2', eventCount: 0 },
      ],
      events: [event('steel', 4, 'MaterialPriceRecorded')],
      projection: {
        entityType: 'material',
        state: {
          materialId: 'steel',
          sequence: 4,
          name: 'Steel',
          price: 2.5,
          priceDate: 1_700_000_000_000,
          history: [],
        },
      },
      snapshot: { sequence: 4, name: 'Steel' },
      partTallies: [],
    },
    {
      entityType: 'machine',
      entityId: 'm-7',
      inputs: [{ idempotencyKey: 'k-3', eventCount: 2 }],
      events: [event('m-7', 10, 'PartProduced'), event('m-7', 11, 'MachineMetricsRecorded')],
      projection: undefined,
      snapshot: undefined,
      partTallies: [{ partId: 3, produced: 1, scrapped: 0 }],
    },
  ]
}
