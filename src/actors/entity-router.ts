import { dispatch, spawn, spawnStateless, stop, type ActorSystemRef, type Ref } from 'nact'

/** A message that can fail: the router's supervision settles it when its handler throws. */
export type Settleable = { done: { reject(error: unknown): void } }

export type EntityRouterOptions<S, M extends Settleable> = {
  /** Name of the parent actor, e.g. `machines`. */
  name: string
  /** Behaviour of the child actor that owns `entityId`: it takes the messages queued for it. */
  behaviour: (entityId: string) => (state: S, msgs: M[], ctx: never) => Promise<S> | S
  /** Children idle this long are stopped (passivated); the next message respawns them. */
  idleMs: number
  /** Most messages handed to a child at once. */
  maxBatch: number
  onCrash?: (entityId: string, error: unknown) => void
}

/** Routes messages to entity actors. */
export type EntityRouter<M> = {
  tell(entityId: string, msg: M): void
  /** Live (not passivated) children, for metrics and tests. */
  liveCount(): number
  /** Stops every child and their parent. nact's system stop misses grandchildren. */
  stop(): void
}

/** A live child: its reference, messages waiting for it, whether it is working, when it last did. */
type Child<M> = { ref: Ref<M[]>; queue: M[]; busy: boolean; lastActive: number }

/**
 * Spawns one child actor per entity id on first message, routes to it synchronously, and
 * passivates children that have been idle for `idleMs`. Messages that arrive while a child
 * works wait here and are handed over together when it is done (at most `maxBatch`), so a
 * child can act on all of them in one commit.
 *
 * Routing is a plain map lookup, not a message to a parent actor: nact copies a parent's
 * whole child map into the context of every message it handles, which made routing cost grow
 * with the number of live entities (a fifth of all CPU at 1,000 machines). Passivation is ours
 * for the same reason it is safe: a child is stopped only when it is idle with nothing queued, and
 * it leaves the map in the same tick, so no message ever reaches a stopped child. One sweep
 * timer serves every child, instead of a timer each.
 */
export function spawnEntityRouter<S, M extends Settleable>(
  system: ActorSystemRef,
  options: EntityRouterOptions<S, M>,
): EntityRouter<M> {
  // The children's parent: it receives no messages, it only holds their names.
  const parent = spawnStateless(system, () => undefined, options.name)
  const children = new Map<string, Child<M>>()

  const spawnChild = (entityId: string): Child<M> => {
    const behaviour = options.behaviour(entityId)
    const child: Child<M> = { ref: undefined as never, queue: [], busy: false, lastActive: 0 }
    child.ref = spawn(
      parent,
      (async (state: S, msgs: M[], ctx: never) => {
        try {
          return await behaviour(state, msgs, ctx)
        } finally {
          // nact queues this behind the state update of the batch just handled.
          child.busy = false
          child.lastActive = Date.now()
          handOver(child)
        }
      }) as never,
      childName(entityId),
      {
        onCrash: (msgs: M[] | undefined, error: unknown, crashCtx: { reset: symbol }) => {
          for (const msg of msgs ?? []) msg.done.reject(error)
          options.onCrash?.(entityId, error)
          // Reset drops the in-memory state; the child recovers from the journal next time.
          return crashCtx.reset
        },
      } as never,
    )
    children.set(entityId, child)
    return child
  }

  const handOver = (child: Child<M>) => {
    if (child.busy || child.queue.length === 0) return
    const batch =
      child.queue.length <= options.maxBatch ? child.queue : child.queue.splice(0, options.maxBatch)
    if (batch === child.queue) child.queue = []
    child.busy = true
    dispatch(child.ref, batch)
  }

  const passivateIdle = () => {
    const idleSince = Date.now() - options.idleMs
    for (const [entityId, child] of children) {
      if (!child.busy && child.queue.length === 0 && child.lastActive <= idleSince) {
        children.delete(entityId)
        stop(child.ref)
      }
    }
  }
  const sweep = setInterval(passivateIdle, Math.max(10, Math.min(options.idleMs / 4, 10_000)))
  sweep.unref()

  return {
    tell: (entityId, msg) => {
      const child = children.get(entityId) ?? spawnChild(entityId)
      child.queue.push(msg)
      handOver(child)
    },
    liveCount: () => children.size,
    stop: () => {
      clearInterval(sweep)
      for (const child of children.values()) stop(child.ref)
      children.clear()
      stop(parent)
    },
  }
}

/** Actor names are path segments: keep ids readable but safe. */
function childName(entityId: string): string {
  return encodeURIComponent(entityId)
}
