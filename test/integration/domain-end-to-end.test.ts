import type { MachineView } from '../../src/read/machine-queries'
import type { PartView } from '../../src/read/catalog-queries'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { shift } from '../support/shift'
import { ServiceProcess } from '../../harness/service-process'
import {
  createTestDatabase,
  queryOnce,
  services,
  uniqueName,
  waitFor,
} from '../../harness/services'

async function runShift(passivating: boolean) {
  const prefix = uniqueName('dom')
  const env: Record<string, string> = {
    DATABASE_URL: await createTestDatabase(),
    MQTT_URL: services().mqttUrl,
    MQTT_TOPIC_PREFIX: prefix,
    MQTT_CLIENT_ID: uniqueName('ms-dom-'),
    SCRAP_RATE_MIN_PARTS: '10',
  }
  if (passivating) Object.assign(env, { ACTOR_IDLE_MS: '300', SNAPSHOT_EVERY: '7' })
  const service = await ServiceProcess.start(env)
  const publisher = await TestPublisher.connect(services().mqttUrl, uniqueName('pub-'))
  try {
    let published = 0
    for (const batch of shift(prefix)) {
      await publisher.publishAll(batch)
      published += batch.length
      // Every input, even one that changes nothing, claims its idempotency key when committed.
      await waitFor('the batch', async () => {
        const [row] = await queryOnce<{ n: number }>(
          env.DATABASE_URL as string,
          'SELECT count(*)::int AS n FROM committed_inputs',
        )
        return row?.n === published ? true : undefined
      })
      if (passivating) {
        // Let every actor passivate: the next batch must recover it from snapshot + events.
        await waitFor(
          'actors passivated',
          async () => {
            const { body } = await service.get<{ checks: { actors: { detail: string } } }>(
              '/readyz',
            )
            return body.checks.actors.detail ===
              JSON.stringify({ machines: 0, parts: 0, materials: 0 })
              ? true
              : undefined
          },
          10_000,
          100,
        )
      }
    }
    // Every message read has been committed and acknowledged: the views hold all of it.
    await service.drained()
    const machine = (await service.get<MachineView>('/api/v1/machines/press-1')).body
    const part = (await service.get<PartView>('/api/v1/parts/7')).body
    const steel = (
      await service.get<{ price: number; history: { price: number; date: string }[] }>(
        '/api/v1/materials/steel',
      )
    ).body
    return { machine, part, steel }
  } finally {
    await publisher.close()
    await service.kill('SIGTERM')
  }
}

describe('machines, parts and materials end to end', () => {
  it('gives the same state with passivation and snapshots as without', async () => {
    const live = await runShift(false)
    const recovered = await runShift(true)
    // When the service saw the machine and raised its alarms is each run's own wall-clock time.
    const comparable = (m: MachineView) => ({
      ...m,
      lastSeenAt: undefined,
      stateSince: m.stateSince,
      alarms: m.alarms?.map((a) => ({ ...a, raisedAt: undefined })),
    })
    expect(comparable(recovered.machine)).toEqual(comparable(live.machine))
    expect(recovered.part).toEqual({ ...live.part, infoUpdatedAt: recovered.part.infoUpdatedAt })
    const prices = (h: { price: number; date?: string }[]) =>
      h.map(({ price, date }) => ({ price, date }))
    expect(prices(recovered.steel.history)).toEqual(prices(live.steel.history))

    // And the state is what the shift says.
    expect(live.machine).toMatchObject({
      state: 'idle',
      produced: 50,
      scrapped: 2 + 5,
      lastOrder: 42,
      lastPartId: 7,
      metrics: { temp: 63, rpm: 1200 },
      alerts: { silent: false, scrapRate: true },
    })
    // 0-10 running, 10-15 down, 15-30 running: availability 25/30; performance 50×30 s / 1500 s; quality 43/50.
    expect(live.machine.oee).toEqual({
      availability: 0.833333,
      performance: 1,
      quality: 0.86,
      oee: 0.716667,
    })
    expect(live.part).toMatchObject({
      partId: 7,
      produced: 50,
      scrapped: 7,
      defaultPrice: 19.9,
      timeToProduce: 30,
    })
    expect(live.part.unitMaterialCost).toBeCloseTo(3 + 8)
    expect(live.steel.price).toBe(3)
    expect(live.steel.history.map((h) => h.price)).toEqual([3, 2.5])
  })
})
