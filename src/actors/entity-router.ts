import { dispatch, spawn, spawnStateless, stop, type ActorSystemRef, type Ref } from 'nact'

/** A message that can fail: the router's supervision settles it when its handler throws. */
export type Settleable = { done: { reject(error: unknown): void } }

export type EntityRouterOptions<S, M extends Settleable> = {
  /** Name of the parent actor, e.g. `machines`. */
  name: string
  /**
   * Behaviour of every child: the entity's state (undefined before it is recovered, or after a
   * crash) and the messages queued for it; resolves with the state to keep.
   */
  behaviour: (entityId: string, state: S | undefined, msgs: M[]) => Promise<S | undefined>
  /** Children idle this long are forgotten (passivated); the next message recovers them. */
  idleMs: number
  /** Children idle this long stop their actor but keep their state (default: `idleMs`). */
  hibernateMs?: number
  /** Most messages handed to a child at once. */
  maxBatch: number
  onCrash?: (entityId: string, error: unknown) => void
}

/** Routes messages to entity actors. */
export type EntityRouter<M> = {
  tell(entityId: string, msg: M): void
  /** Children with a running actor, for metrics and tests. */
  liveCount(): number
  /** Children whose actor stopped while their state stays in memory. */
  hibernatingCount(): number
  /**
   * Forgets the children `gone` names, actor and state: idle ones now, busy ones once the batch
   * in hand is done (what is queued for them then starts again from the journal).
   */
  evict(gone: (entityId: string) => boolean): void
  /** Stops every child and their parent. nact's system stop misses grandchildren. */
  stop(): void
}

/**
 * One entity: its actor while awake (undefined while it hibernates), the messages waiting for
 * it, whether it is working and since when it has not, and its latest committed state. This is
 * the one copy of the state: the nact actor keeps none of its own, so the state outlives the
 * actor while it hibernates.
 */
type Child<S, M> = {
  entityId: string
  ref: Ref<M[]> | undefined
  queue: M[]
  busy: boolean
  lastActive: number
  state: S | undefined
  /** Its state is to be dropped once the batch in hand is done (and the child if idle). */
  evicted?: boolean
}

/**
 * What nact does and what this router does, each once:
 * - nact runs each entity's actor: it hands the actor one batch at a time, in order, and
 *   supervises it (a crash rejects the batch in hand and resets the actor, whose next batch
 *   recovers from the journal); it also stops actors and their parent.
 * - this router is the keyed mailbox in front of the actors: it finds an entity's actor with a
 *   map lookup, queues what arrives while the actor works and hands the queue over as one
 *   batch (so one commit can carry many messages), holds each entity's state, and decides when
 *   an idle actor hibernates and when its state is passivated.
 *
 * Spawns one child actor per entity id on first message and routes to it synchronously.
 * Messages that arrive while a child works wait here and are handed over together when it is
 * done (at most `maxBatch`), so a child can act on all of them in one commit.
 *
 * Idle children go in two steps. After `hibernateMs` the actor stops but its state stays here
 * (about a kilobyte, where a live nact actor costs twice that again); the next message spawns
 * it again from that state, without reading the journal. After `idleMs` the state goes too
 * (passivation) and the next message recovers it from the journal.
 *
 * Routing is a plain map lookup, not a message to a parent actor: nact copies a parent's
 * whole child map into the context of every message it handles, which made routing cost grow
 * with the number of live entities (a fifth of all CPU at 1,000 machines). Stopping is ours for
 * the same reason it is safe: only an idle child with nothing queued is stopped, in the same
 * tick as it leaves the map, so no message ever reaches a stopped actor. One sweep timer
 * serves every child, instead of a timer each.
 */
export function spawnEntityRouter<S, M extends Settleable>(
  system: ActorSystemRef,
  options: EntityRouterOptions<S, M>,
): EntityRouter<M> {
  // The children's parent: it receives no messages, it only holds their names.
  const parent = spawnStateless(system, () => undefined, options.name)
  const children = new Map<string, Child<S, M>>()
  const hibernateMs = Math.min(options.hibernateMs ?? options.idleMs, options.idleMs)

  // One for all children (found by actor name), not a closure per child.
  const actorOptions = {
    onCrash: (msgs: M[] | undefined, error: unknown, ctx: { name: string; reset: symbol }) => {
      for (const msg of msgs ?? []) msg.done.reject(error)
      options.onCrash?.(entityIdOf(ctx.name), error)
      return ctx.reset
    },
  }

  const wake = (child: Child<S, M>): void => {
    child.ref = spawn(
      parent,
      // nact's own state slot stays empty: the state is the child's, read and replaced here.
      (async (_: undefined, msgs: M[]) => {
        try {
          child.state = await options.behaviour(child.entityId, child.state, msgs)
          return undefined
        } catch (err) {
          // The crash resets the actor to this: nothing, so it recovers from the journal.
          child.state = undefined
          throw err
        } finally {
          // nact queues this behind the state update of the batch just handled.
          child.busy = false
          child.lastActive = Date.now()
          if (child.evicted) {
            // What is queued now came after the eviction: it starts from the journal.
            child.evicted = false
            child.state = undefined
            if (child.queue.length === 0) forget(child)
          }
          handOver(child)
        }
      }) as never,
      childName(child.entityId),
      actorOptions as never,
    )
  }

  const handOver = (child: Child<S, M>) => {
    if (child.busy || child.queue.length === 0 || !child.ref) return
    const batch =
      child.queue.length <= options.maxBatch ? child.queue : child.queue.splice(0, options.maxBatch)
    if (batch === child.queue) child.queue = []
    child.busy = true
    dispatch(child.ref, batch)
  }

  const forget = (child: Child<S, M>) => {
    if (children.get(child.entityId) === child) children.delete(child.entityId)
    if (child.ref) stop(child.ref)
    child.ref = undefined
    child.state = undefined
  }

  const sweepIdle = () => {
    const now = Date.now()
    for (const [entityId, child] of children) {
      if (child.busy || child.queue.length > 0) continue
      if (child.lastActive <= now - options.idleMs) {
        children.delete(entityId)
        if (child.ref) stop(child.ref)
      } else if (child.ref && child.lastActive <= now - hibernateMs) {
        stop(child.ref)
        child.ref = undefined
      }
    }
  }
  const sweep = setInterval(sweepIdle, Math.max(10, Math.min(hibernateMs / 4, 10_000)))
  sweep.unref()

  const count = (awake: boolean) => {
    let n = 0
    for (const child of children.values()) if ((child.ref !== undefined) === awake) n++
    return n
  }
  return {
    tell: (entityId, msg) => {
      let child = children.get(entityId)
      if (!child) {
        child = {
          entityId,
          ref: undefined,
          queue: [],
          busy: false,
          lastActive: 0,
          state: undefined,
        }
        children.set(entityId, child)
      }
      if (!child.ref) wake(child)
      child.queue.push(msg)
      handOver(child)
    },
    evict: (gone) => {
      for (const child of [...children.values()]) {
        if (!gone(child.entityId)) continue
        if (child.busy) child.evicted = true
        else forget(child)
      }
    },
    liveCount: () => count(true),
    hibernatingCount: () => count(false),
    stop: () => {
      clearInterval(sweep)
      for (const child of children.values()) if (child.ref) stop(child.ref)
      children.clear()
      stop(parent)
    },
  }
}

/** Actor names are path segments: keep ids readable but safe. */
function childName(entityId: string): string {
  return encodeURIComponent(entityId)
}

function entityIdOf(childName: string): string {
  return decodeURIComponent(childName)
}
