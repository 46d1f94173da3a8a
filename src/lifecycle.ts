import type { Logger } from './logger.js'

/** A dependency's health as the readiness report shows it. */
export type Check = { ok: boolean; detail?: string | number | boolean }

/** What a component not (yet) running reports. */
export const NO_CHECKS: Readonly<Record<string, Check>> = {}

/**
 * One running part of the service. `start` resolves with what the part offers the parts
 * started after it; `stop` releases what `start` took, and must cope with a `start` that
 * failed half-way. `checks` is the part's contribution to readiness. `stopping` tells every
 * part, before the first stop, that shutdown has begun (to start a deadline of its own).
 */
export interface Component<T = void> {
  readonly name: string
  start(): Promise<T>
  stop(): Promise<void>
  stopping?(): void
  checks?(): Promise<Readonly<Record<string, Check>>>
}

/**
 * Starts components one at a time, in the order asked, and stops the started ones in reverse:
 * what started last depends on what started before it, so it goes first. A failed stop is
 * logged and the next one still runs, so one stuck part does not keep the rest open.
 */
export class Lifecycle {
  private readonly started: Component<unknown>[] = []

  constructor(private readonly log: Logger) {}

  /** Starts `component`; if that fails, it is stopped with everything started before it. */
  async start<T>(component: Component<T>): Promise<T> {
    this.started.push(component)
    try {
      return await component.start()
    } catch (err) {
      this.log.error({ err, component: component.name }, 'start failed; stopping')
      await this.stop()
      throw err
    }
  }

  /** Stops every started component, last started first; later calls do nothing. */
  async stop(): Promise<void> {
    const order = [...this.started].reverse()
    this.started.length = 0
    for (const component of order) component.stopping?.()
    for (const component of order) {
      this.log.debug({ step: component.name }, 'shutdown step')
      await component
        .stop()
        .catch((err: unknown) =>
          this.log.error({ err, step: component.name }, 'shutdown step failed'),
        )
    }
  }

  /** Every started component's readiness checks, in start order. */
  async checks(): Promise<Record<string, Check>> {
    const all: Record<string, Check> = {}
    for (const component of this.started) Object.assign(all, await component.checks?.())
    return all
  }
}
