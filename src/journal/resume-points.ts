import type { InputOrigin } from '../actors/ports.js'

/**
 * What a commit records of one partition of the ingest topic its inputs came from: the epoch
 * they were read under, and the offset the partition resumes from once this commit is durable
 * (negative: none to store).
 */
export type PartitionCheckpoint = {
  topic: string
  partition: number
  epoch: number
  nextOffset: number
}

/** Works out, from the inputs a commit carries, where each of their partitions resumes. */
export type ResumePoints = (origins: InputOrigin[]) => PartitionCheckpoint[]

/**
 * How resume points are stored: only ever forward, so a commit that lands late (two run side
 * by side) never moves one back.
 */
export const RESUME_POINTS_MOVE_FORWARD = `ON CONFLICT (topic, partition) DO UPDATE
    SET next_offset = GREATEST(ingest_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`
