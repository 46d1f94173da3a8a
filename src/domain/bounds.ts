import { MillstreamError } from '../errors.js'

/**
 * Every bound on the state that outside ids create, by the name `/metrics` counts it under
 * (`millstream_bound_reached_total{bound}`).
 */
export const BOUNDS = [
  'machine-allow-list',
  'metrics-per-machine',
  'sparkplug-edge-nodes',
  'sparkplug-devices-per-node',
  'sparkplug-metrics-per-birth',
  'sparkplug-payload-bytes',
  'sparkplug-rebirth-rate',
  'embedded-session-queue',
] as const

export type BoundName = (typeof BOUNDS)[number]

/**
 * An input refused because it would grow some state past its bound. Nothing of it is kept:
 * the caller dead-letters it with this message as the reason (or answers 422).
 */
export class BoundReached extends MillstreamError {
  constructor(
    readonly bound: BoundName,
    message: string,
  ) {
    super('BOUND_REACHED', message)
    this.name = 'BoundReached'
  }
}
