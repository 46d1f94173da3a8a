import { listArchives, readArchive } from '../archive/archive-file.js'
import type { DomainEvent } from '../domain/events.js'
import type { SchemaRegistry } from '../publish/avro/schema-registry.js'

/**
 * The events of every archive in `dir` (since `since`, epoch ms; dead letters left out, as
 * `readLogHistory` does), oldest archive first and each in log order. Each file's checksum is
 * checked before it is read, so a damaged archive stops the rebuild instead of thinning it.
 * An array, as the log's history is: the fold needs every event of an entity at once.
 */
export async function readArchivedHistory(
  dir: string,
  since: number,
  registry: SchemaRegistry,
): Promise<DomainEvent[]> {
  const events: DomainEvent[] = []
  for (const archive of await listArchives(dir)) {
    for await (const { event } of readArchive(archive.file, registry)) {
      if (event.type !== 'DeadLetter' && event.occurredAt >= since) events.push(event)
    }
  }
  return events
}
