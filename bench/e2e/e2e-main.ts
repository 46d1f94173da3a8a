import { benchMillstream } from './millstream'
import { startStack } from '../lib/stack'
import { DEFAULT_MIX } from '../load/messages'

/** Only the millstream end-to-end run (for profiling): `node .build/bench/e2e/e2e-main.js [seconds]`. */
async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 20)
  const stack = startStack((l) => console.log(l))
  const cpuProf = process.env.BENCH_CPU_PROF
  const result = await benchMillstream(
    stack,
    {
      mix: DEFAULT_MIX,
      warmupSeconds: 5,
      seconds,
      latencySeconds: 10,
      serviceEnv: JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>,
      serviceNodeArgs: [
        ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] : []),
        ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ],
    },
    (l) => console.log(l),
  )
  console.log(JSON.stringify(result, null, 2))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
