import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mqtt from 'mqtt'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'

type Tree = {
  sites: { areas: { lines: { id: string; machines: string[] }[] }[] }[]
  unplaced: string[]
}

const plantWith = (lines: { id: string; machines: unknown[] }[]) => ({
  sites: [
    {
      id: 'site',
      name: 'Site',
      areas: [{ id: 'area', name: 'Area', lines: lines.map((l) => ({ ...l, name: l.id })) }],
    },
  ],
})

const linesOf = (tree: Tree) =>
  Object.fromEntries(
    tree.sites.flatMap((s) => s.areas.flatMap((a) => a.lines.map((l) => [l.id, l.machines]))),
  )

describe('plant model file', () => {
  let dir: string
  let file: string
  let databaseUrl: string
  const prefix = uniqueName('plant')
  const env = () => ({
    DATABASE_URL: databaseUrl,
    MQTT_URL: services().mqttUrl,
    MQTT_TOPIC_PREFIX: prefix,
    MQTT_CLIENT_ID: uniqueName('ms-plant-'),
    SPARKPLUG: 'false',
    PLANT_MODEL_FILE: file,
    LOG_LEVEL: 'info',
  })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plant-model-'))
    file = join(dir, 'plant.json')
    databaseUrl = await createTestDatabase()
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('refuses to start on a bad file, listing every problem', async () => {
    await writeFile(
      file,
      JSON.stringify({
        ...plantWith([
          { id: 'a', machines: ['m-1'] },
          { id: 'a', machines: ['m-1'] },
        ]),
        calendars: { c: { timeZone: 'Mars/Olympus' } },
      }),
    )
    const started = ServiceProcess.start(env())
    await expect(started).rejects.toThrow(/service exited with 1/)
    const message = await started.then(
      () => '',
      (err: unknown) => String(err),
    )
    expect(message).toContain('line a is defined twice')
    expect(message).toContain('machine m-1 is placed in line a and line a')
    expect(message).toContain('calendar c: time zone Mars/Olympus is unknown')
  })

  it('places machines, and on SIGHUP takes a new file in or keeps the old one', async () => {
    await writeFile(
      file,
      JSON.stringify(
        plantWith([
          { id: 'presses', machines: [{ pattern: 'press-*' }] },
          { id: 'other', machines: [] },
        ]),
      ),
    )
    const service = await ServiceProcess.start(env())
    const client = await mqtt.connectAsync(services().mqttUrl, {
      clientId: uniqueName('plant-pub-'),
    })
    try {
      for (const id of ['press-1', 'lathe-1'])
        await client.publishAsync(
          `${prefix}/machines/${id}/status`,
          JSON.stringify({ state: 'running', at: Date.now() }),
          { qos: 1 },
        )
      const tree = async () => (await service.get<Tree>('/api/v1/plant')).body
      await waitFor(
        'both machines known',
        async () => ((await tree()).unplaced.length === 1 ? true : undefined),
        15_000,
      )
      expect(linesOf(await tree())).toEqual({ presses: ['press-1'], other: [] })
      expect((await tree()).unplaced).toEqual(['lathe-1'])

      await writeFile(
        file,
        JSON.stringify(
          plantWith([
            { id: 'presses', machines: [] },
            { id: 'other', machines: [{ pattern: '*' }] },
          ]),
        ),
      )
      service.signal('SIGHUP')
      await waitFor(
        'the new model',
        async () => (linesOf(await tree()).other?.length === 2 ? true : undefined),
        10_000,
      )
      expect(linesOf(await tree())).toEqual({ presses: [], other: ['lathe-1', 'press-1'] })

      await writeFile(file, '{ "sites": [] }')
      service.signal('SIGHUP')
      await waitFor(
        'the refusal logged',
        () =>
          Promise.resolve(service.logs().includes('plant model not reloaded') ? true : undefined),
        10_000,
      )
      expect(service.logs()).toContain('>=1 items')
      expect(linesOf(await tree())).toEqual({ presses: [], other: ['lathe-1', 'press-1'] })
      expect(service.running()).toBe(true)
    } finally {
      await client.endAsync()
      await service.kill('SIGTERM')
    }
  })
})
