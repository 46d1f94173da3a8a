import { runActorScale, type ActorScaleRunOptions } from './run'

/**
 * Child entry of the actor-scale bench, forked with `--expose-gc` by `measureActorScale` so
 * forced GCs see only this process's actors. Takes its options as JSON in argv and sends
 * back `{ result }` or `{ error }` over the IPC channel. Run by hand (no IPC channel, e.g.
 * `node --expose-gc --cpu-prof .build/bench/actors/actors-main.js '{"actors":5000,"idleMs":15000}'`)
 * it prints that JSON instead.
 */
async function main(): Promise<void> {
  const send = (message: unknown) =>
    new Promise<void>((resolve) => {
      if (process.send) process.send(message, () => resolve())
      else process.stdout.write(`${JSON.stringify(message, null, 2)}\n`, () => resolve())
    })
  try {
    const options = JSON.parse(process.argv[2] ?? '') as ActorScaleRunOptions
    await send({ result: await runActorScale(options) })
  } catch (err) {
    await send({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) })
  }
  // Nothing else is waiting: exit now rather than after stray timers (the IPC channel keeps a
  // forked child alive otherwise).
  process.exit(0)
}

void main()
