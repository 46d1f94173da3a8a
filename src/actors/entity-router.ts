import { dispatch, spawn, spawnStateless, stop, type ActorSystemRef, type Ref } from 'nact'

/** A message that can fail: the router's supervision settles it when its handler throws. */
export type Settleable = { done: { reject(error: unknown): void } }

type Routed<M> = { entityId: string; msg: M }

export type EntityRouterOptions<S, M extends Settleable> = {
  /** Name of the router actor, e.g. `machines`. */
  name: string
  /** Behaviour of the child actor that owns `entityId`. */
  behaviour: (entityId: string) => (state: S, msg: M, ctx: never) => Promise<S> | S
  /** Children idle this long are stopped (passivated); the next message respawns them. */
  idleMs: number
  onCrash?: (entityId: string, error: unknown) => void
}

/** Routes messages to entity actors. */
export type EntityRouter<M> = {
  tell(entityId: string, msg: M): void
  /** Live (not passivated) children, for metrics and tests. */
  liveCount(): number
  /** Stops every child and the router. nact's system stop misses grandchildren and their timers. */
  stop(): void
}

/**
 * A parent actor that spawns one child per entity id on first message and respawns it after
 * passivation (nact's `shutdownAfter` only stops the child). Routing happens inside the
 * parent's handler, where `ctx.children` is current, so no message reaches a stopped child.
 */
export function spawnEntityRouter<S, M extends Settleable>(
  system: ActorSystemRef,
  options: EntityRouterOptions<S, M>,
): EntityRouter<M> {
  const live = new Set<Ref<M>>()
  const router = spawnStateless(
    system,
    (routed: Routed<M>, ctx) => {
      const name = childName(routed.entityId)
      let child = ctx.children.get(name) as Ref<M> | undefined
      if (!child) {
        const spawned: Ref<M> = spawn(ctx.self, options.behaviour(routed.entityId) as never, name, {
          shutdownAfter: options.idleMs,
          afterStop: () => {
            live.delete(spawned)
          },
          onCrash: (msg: M | undefined, error: unknown, crashCtx: { reset: symbol }) => {
            msg?.done.reject(error)
            options.onCrash?.(routed.entityId, error)
            // Reset drops the in-memory state; the child recovers from the journal next time.
            return crashCtx.reset
          },
        } as never)
        live.add(spawned)
        child = spawned
      }
      dispatch(child, routed.msg)
    },
    options.name,
  )
  return {
    tell: (entityId, msg) => dispatch(router as Ref<Routed<M>>, { entityId, msg }),
    liveCount: () => live.size,
    stop: () => {
      for (const child of live) stop(child)
      stop(router)
    },
  }
}

/** Actor names are path segments: keep ids readable but safe. */
function childName(entityId: string): string {
  return encodeURIComponent(entityId)
}
