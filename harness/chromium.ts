import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

// Debian's Chromium (scripts/ci-install.sh installs it): playwright-core downloads no browser.
const CHROMIUM = '/usr/bin/chromium'

/** A headless Chromium with a profile of its own, removed again by `close`. */
export type Browser = { context: BrowserContext; close(): Promise<void> }

/**
 * Starts headless Chromium at `viewport`, with nothing of its own reaching out (no sync,
 * no component updates, no background requests): what the page asks for is all it asks for.
 */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'millstream-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport,
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}
