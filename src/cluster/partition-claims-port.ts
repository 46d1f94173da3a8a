import type { PartitionCheckpoint } from '../journal/resume-points.js'
import type { PartitionClaim } from '../journal/partition-claims.js'

/** Where partitions' epochs and resume points are kept (PostgreSQL). */
export interface PartitionClaims {
  /** Takes the partitions: bumps their epochs; where each resumes. */
  claim(partitions: number[]): Promise<PartitionClaim[]>
  /** Stores resume points; returns those refused because the epoch moved on. */
  store(checkpoints: PartitionCheckpoint[]): Promise<PartitionCheckpoint[]>
}
