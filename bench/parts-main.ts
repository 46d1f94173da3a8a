import path from 'node:path'
import { parseArgs } from 'node:util'
import { projectPath } from '../src/project-root'
import { measureActorScale } from './actors/index'
import { measureHttpLookups } from './http/index'
import { readServicesFile } from './lib/stack'

const USAGE = `usage: node .build/bench/parts-main.js [--smoke] [--only actors|http]
  [--actors N] [--seconds S] [--connections C] [--machines M]
  [--services RUN_DIR/services.env] [--cpu-prof DIR] [--heap-snapshot DIR]
Runs the actor-scale and HTTP lookup measurements alone and prints their results as JSON.
The HTTP part needs the services of scripts/services/up.sh (default .run/bench-http).`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      actors: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string', default: '32' },
      machines: { type: 'string', default: '1000' },
      services: { type: 'string', default: projectPath('.run', 'bench-http', 'services.env') },
      'cpu-prof': { type: 'string' },
      'heap-snapshot': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help || (values.only && !['actors', 'http'].includes(values.only))) {
    console.log(USAGE)
    return
  }
  const smoke = values.smoke
  if (values.only !== 'http') {
    const actors = Number(values.actors ?? (smoke ? 5_000 : 100_000))
    console.log(`actor scale: ${actors} machine actors...`)
    const result = await measureActorScale({
      actors,
      ...(values['heap-snapshot']
        ? { heapSnapshotDir: path.resolve(values['heap-snapshot']) }
        : {}),
    })
    console.log(JSON.stringify({ actorScale: result }, null, 2))
  }
  if (values.only !== 'actors') {
    const seconds = Number(values.seconds ?? (smoke ? 1 : 10))
    console.log(`http lookups: ${seconds} s per path...`)
    const results = await measureHttpLookups(readServicesFile(values.services), {
      seconds,
      connections: Number(values.connections),
      machines: Number(values.machines),
      ...(values['cpu-prof'] ? { cpuProfileDir: path.resolve(values['cpu-prof']) } : {}),
    })
    console.log(JSON.stringify({ httpLookups: results }, null, 2))
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
