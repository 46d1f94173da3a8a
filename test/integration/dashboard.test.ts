import { copyFileSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { projectPath } from '../../src/project-root'
import { launchChromium, type Browser } from '../../harness/chromium'
import { TestPublisher } from '../../harness/mqtt-publisher'
import { ServiceProcess } from '../../harness/service-process'
import { SimulatorProcess } from '../../harness/simulator-process'
import { createTestDatabase, services, uniqueName, waitFor } from '../../harness/services'

const SCREENSHOTS = projectPath('.run', 'screenshots')
const SIMULATED = 24
/** A machine the simulator does not run, so only this test's messages move its counters. */
const OWN_MACHINE = '100'
const METRICS = ['power', 'spindleSpeed', 'temperature', 'vibration']

/**
 * How many pixels of a canvas inside `selector` are close to `rgb`: a line drawn in that colour
 * leaves them, an empty plot (axes and grid only) none. Runs in the page, as text: the test's
 * own program has no DOM types.
 */
const pixelsOfColour = (selector: string, [r, g, b]: [number, number, number]) => `(() => {
  const canvas = document.querySelector(${JSON.stringify(selector)} + ' canvas')
  if (!canvas) return -1
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)
  let n = 0
  for (let i = 0; i < data.length; i += 4)
    if (data[i + 3] > 200 && Math.abs(data[i] - ${r}) < 24 && Math.abs(data[i + 1] - ${g}) < 24 && Math.abs(data[i + 2] - ${b}) < 24) n++
  return n
})()`

/** A data attribute of every tile the grid shows, in the grid's order. */
const shownTiles = (attribute: 'id' | 'state') =>
  `[...document.querySelectorAll('.tile:not([hidden])')].map((t) => t.dataset.${attribute})`

const BLUE: [number, number, number] = [92, 158, 214]
const OEE_LINE: [number, number, number] = [232, 238, 243]

function production(prefix: string, machineId: string, order: number, scrapped = false) {
  return {
    topic: `${prefix}/machines/${machineId}/production`,
    payload: JSON.stringify({
      timeOfProduction: new Date().toISOString(),
      order,
      partId: 1,
      machineId: Number(machineId),
      var5: scrapped,
      messageId: uniqueName('dash-'),
    }),
  }
}

describe('the plant dashboard, against the service and the simulator', () => {
  const prefix = uniqueName('dash')
  let service: ServiceProcess
  let simulator: SimulatorProcess
  let publisher: TestPublisher
  let browser: Browser
  let page: Page
  const outside: string[] = []
  const errors: string[] = []

  beforeAll(async () => {
    const { mqttUrl } = services()
    service = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      MQTT_URL: mqttUrl,
      MQTT_TOPIC_PREFIX: prefix,
      MQTT_CLIENT_ID: uniqueName('ms-dash-'),
    })
    publisher = await TestPublisher.connect(mqttUrl, uniqueName('dash-pub-'))
    // Round the clock: in a break no machine would run or make parts for the charts.
    simulator = SimulatorProcess.start(mqttUrl, prefix, [
      '--machines',
      String(SIMULATED),
      '--speed',
      '30',
      '--round-the-clock',
    ])
    await publisher.publishAll([production(prefix, OWN_MACHINE, 1)])
    await waitFor('every simulated machine with a state', async () => {
      if (simulator.exitCode !== null) throw new Error(`simulator exited:\n${simulator.logs()}`)
      const { body } = await service.get<{ items: { state: string }[] }>('/api/v1/machines')
      return body.items.filter((m) => m.state !== 'unknown').length >= SIMULATED ? true : undefined
    })

    browser = await launchChromium({ width: 1440, height: 900 })
    // Stands in for a plant network: anything but the service itself is refused and recorded.
    const own = new URL(service.url).origin
    await browser.context.route('**/*', async (route) => {
      const url = route.request().url()
      if (new URL(url).origin === own || url.startsWith('data:')) return route.continue()
      outside.push(url)
      return route.abort('blockedbyclient')
    })
    page = browser.context.pages()[0] ?? (await browser.context.newPage())
    page.on('request', (r) => {
      const url = r.url()
      if (!url.startsWith(own) && !url.startsWith('data:')) outside.push(url)
    })
    // A CSP refusal never reaches the network, so it shows only here.
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('response', (r) => void (r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`)))
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await simulator?.stop()
    await publisher?.close()
    await service?.kill('SIGTERM')
  })

  it('serves the page with a policy that forbids anything from outside', async () => {
    const res = await fetch(`${service.url}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/)
    const html = await res.text()
    expect(html.match(/https?:\/\/[^\s"'<>)]*/g) ?? []).toEqual([])
    const missing = await fetch(`${service.url}/assets/..%2fpackage.json`)
    expect(missing.status).toBe(404)
  })

  it('shows every simulated machine in the grid, in natural order, live', async () => {
    await page.goto(`${service.url}/`)
    await page.waitForSelector('#link-status[data-status="live"]')
    await waitFor('a tile per machine', async () =>
      (await page.locator('.tile').count()) === SIMULATED + 1 ? true : undefined,
    )
    const ids = await page.evaluate<string[]>(shownTiles('id'))
    expect(ids).toEqual([
      ...Array.from({ length: SIMULATED }, (_, i) => String(i + 1)),
      OWN_MACHINE,
    ])
    // Read from outside: the page's CSP forbids the eval that waitForFunction needs.
    await waitFor('the grid-ready mark', async () =>
      (await page.evaluate<number>(
        `performance.getEntriesByName('dashboard:grid-ready').length`,
      )) === 1
        ? true
        : undefined,
    )
    await page.locator('#plant-oee').filter({ hasText: '%' }).waitFor()
  })

  it('shows a production report on its tile within 2 s of its publish', async () => {
    const produced = page.locator(`.tile[data-id="${OWN_MACHINE}"] .tile-produced`)
    await expect(produced.textContent()).resolves.toBe('1')
    const published = Date.now()
    await publisher.publishAll([production(prefix, OWN_MACHINE, 2)])
    await produced.filter({ hasText: /^2$/ }).waitFor({ timeout: 2_000 })
    const tookMs = Date.now() - published
    console.log(`production report to tile: ${tookMs} ms`)
    expect(tookMs).toBeLessThan(2_000)
  })

  it('counts a machine’s alarms on its tile', async () => {
    const badge = page.locator(`.tile[data-id="${OWN_MACHINE}"] .badge-alarms`)
    await expect(badge.isHidden()).resolves.toBe(true)
    // 20 parts scrapped of 22: past the built-in scrap-rate rule (over 10 %, at least 20 parts).
    await publisher.publishAll(
      Array.from({ length: 20 }, (_, i) => production(prefix, OWN_MACHINE, 3 + i, true)),
    )
    await badge.filter({ hasText: /^1 alarm$/ }).waitFor({ timeout: 5_000 })
  })

  it('filters the grid by text and by state', async () => {
    await page.fill('#fleet-search', '1')
    const shown = await page.evaluate<string[]>(shownTiles('id'))
    expect(shown).toEqual(
      [...Array.from({ length: SIMULATED }, (_, i) => String(i + 1)), OWN_MACHINE].filter((id) =>
        id.includes('1'),
      ),
    )
    await page.fill('#fleet-search', '')
    await page.click('#state-filter button[data-state="running"]')
    const states = await page.evaluate<string[]>(shownTiles('state'))
    expect(states.length).toBeGreaterThan(0)
    expect(new Set(states)).toEqual(new Set(['running']))
    await page.click('#state-filter button[data-state=""]')
    expect(await page.locator('.tile:visible').count()).toBe(SIMULATED + 1)
    await page.waitForSelector('[data-chart="plant-production"]:not([data-points="0"])')
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-plant.png') })
  })

  it('draws every chart of a machine view from its data', async () => {
    await page.click('.tile[data-id="3"]')
    await page.waitForSelector('#machine-view:not([hidden])')
    expect(await page.locator('#machine-id').textContent()).toBe('3')
    const charts = ['production', 'oee', ...METRICS.map((m) => `telemetry-${m}`)]
    for (const name of charts)
      await page.waitForSelector(`[data-chart="${name}"]:not([data-points="0"])`, {
        timeout: 30_000,
      })
    for (const name of charts) {
      const points = Number(await page.getAttribute(`[data-chart="${name}"]`, 'data-points'))
      expect(points).toBeGreaterThan(0)
      const colour = name === 'oee' ? OEE_LINE : BLUE
      const drawn = await page.evaluate<number>(pixelsOfColour(`[data-chart="${name}"]`, colour))
      expect({ name, drawn: drawn > 0 }).toEqual({ name, drawn: true })
    }
    const segments = Number(await page.getAttribute('#machine-timeline', 'data-segments'))
    expect(segments).toBeGreaterThan(0)
    expect(await page.locator('#machine-events tr').count()).toBeGreaterThan(0)
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-machine.png'), fullPage: true })
  })

  it('asked for nothing outside the service and logged no error', () => {
    expect(outside).toEqual([])
    expect(errors).toEqual([])
  })
})

/** Run with DASHBOARD_SCREENSHOT=1 to refresh the README's picture from this run. */
afterAll(() => {
  if (process.env.DASHBOARD_SCREENSHOT)
    copyFileSync(
      path.join(SCREENSHOTS, 'dashboard-plant.png'),
      projectPath('docs', 'dashboard.png'),
    )
})
