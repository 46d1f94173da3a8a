import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { projectPath } from '../../src/project-root'
import { launchChromium, type Browser } from '../../harness/chromium'
import { ServiceProcess } from '../../harness/service-process'
import { createTestDatabase, services, uniqueName } from '../../harness/services'

const SCREENSHOT = projectPath('.run', 'screenshots', 'swagger-ui.png')
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

describe('Swagger UI with no internet', () => {
  let service: ServiceProcess
  let chromium: Browser

  beforeAll(async () => {
    service = await ServiceProcess.start({
      DATABASE_URL: await createTestDatabase(),
      MQTT_URL: services().mqttUrl,
      MQTT_TOPIC_PREFIX: uniqueName('docs'),
      MQTT_CLIENT_ID: uniqueName('ms-docs-'),
    })
    chromium = await launchChromium()
  })
  afterAll(async () => {
    await chromium?.close()
    await service?.kill('SIGTERM')
  })

  it('serves a page that names no URL outside the service', async () => {
    const html = await (await fetch(`${service.url}/api/v1/docs`)).text()
    const outside = (html.match(/https?:\/\/[^\s"'<>)]*/g) ?? []).filter(
      (url) => !url.startsWith(`${service.url}/`),
    )
    expect(outside).toEqual([])
  })

  it('renders every operation of the OpenAPI document while every outside request is refused', async () => {
    const doc = (await (await fetch(`${service.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const operations = Object.values(doc.paths)
      .flatMap((item) => Object.keys(item))
      .filter((key) => HTTP_METHODS.has(key)).length

    // Stands in for a plant network: anything but the service itself is refused and recorded.
    const own = new URL(service.url).host
    const outside: string[] = []
    const failed: string[] = []
    const errors: string[] = []
    const browser = chromium.context
    await browser.route('**/*', async (route) => {
      const url = route.request().url()
      if (new URL(url).host === own) return route.continue()
      outside.push(url)
      return route.abort('blockedbyclient')
    })
    const page = browser.pages()[0] ?? (await browser.newPage())
    page.on('requestfailed', (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`))
    // A CSP refusal never reaches the network, so it shows only here.
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())))
    page.on('pageerror', (e) => errors.push(e.message))

    const response = await page.goto(`${service.url}/api/v1/docs`)
    expect(response?.status()).toBe(200)
    await page.waitForSelector('.opblock')
    await page.waitForLoadState('networkidle')
    const rendered = await page.locator('.opblock').count()
    mkdirSync(path.dirname(SCREENSHOT), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })

    expect(operations).toBeGreaterThanOrEqual(20) // the API's 20 operations, at the time of writing
    expect(rendered).toBe(operations)
    expect(outside).toEqual([])
    expect(failed).toEqual([])
    expect(errors).toEqual([])
  })
})
