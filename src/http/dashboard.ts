import { readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type Koa from 'koa'
import type { Logger } from '../logger.js'
import { projectPath } from '../project-root.js'
import { CONTENT_TYPES, offlinePagePolicy, staticFiles, type StaticFile } from './static-files.js'

/** Where the page's files are: its static files, its compiled scripts, and uPlot's package. */
export type DashboardFolders = { staticDir: string; scriptsDir: string; uplotDir: string }

const ASSETS = '/assets/'

/**
 * The live plant dashboard: the page at `/` and its files under `/assets/`, all from this
 * service (a plant network has no internet). The files are a table fixed at start: the page's
 * stylesheet, uPlot's module and stylesheet, and the scripts `tsc -p tsconfig.web.json`
 * compiled, by their names. A request path is looked up in it and never joined to a folder.
 */
export function dashboard(
  log: Logger,
  folders: DashboardFolders = {
    staticDir: projectPath('web', 'static'),
    scriptsDir: projectPath('dist', 'web'),
    uplotDir: path.dirname(require.resolve('uplot/package.json')),
  },
): Koa.Middleware {
  const file = (dir: string, name: string, type: string): StaticFile => ({
    type,
    read: () => readFile(path.join(dir, name)),
  })
  const scripts = compiledScripts(folders.scriptsDir, log)
  const page = file(folders.staticDir, 'index.html', CONTENT_TYPES.html)
  const files = new Map<string, StaticFile>([
    [
      '/',
      {
        type: CONTENT_TYPES.html,
        read: async () => withModulePreloads(String(await page.read()), scripts),
        headers: { 'Content-Security-Policy': offlinePagePolicy("'self'") },
      },
    ],
    [`${ASSETS}dashboard.css`, file(folders.staticDir, 'dashboard.css', CONTENT_TYPES.css)],
    [
      `${ASSETS}uPlot.min.css`,
      file(path.join(folders.uplotDir, 'dist'), 'uPlot.min.css', CONTENT_TYPES.css),
    ],
    [
      `${ASSETS}uPlot.esm.js`,
      file(path.join(folders.uplotDir, 'dist'), 'uPlot.esm.js', CONTENT_TYPES.js),
    ],
    ...scripts.map((name): [string, StaticFile] => [
      `${ASSETS}${name}`,
      file(folders.scriptsDir, name, CONTENT_TYPES.js),
    ]),
  ])
  return staticFiles((requestPath) => files.get(requestPath))
}

/**
 * The page with a `modulepreload` link per module, so the browser fetches every module at once
 * rather than one level of imports after another (on a busy service, a second per level).
 */
function withModulePreloads(html: string, scripts: readonly string[]): string {
  const links = [...scripts, 'uPlot.esm.js']
    .map((name) => `    <link rel="modulepreload" href="${ASSETS}${name}" />\n`)
    .join('')
  return html.replace('  </head>', `${links}  </head>`)
}

/** The page's compiled modules (one flat folder); none, with a warning, before a build. */
function compiledScripts(dir: string, log: Logger): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.js'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    log.warn({ dir }, 'the dashboard has no scripts: `npm run build` compiles them')
    return []
  }
}
