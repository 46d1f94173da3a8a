import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { projectPath } from '../../../src/project-root'

const stagesFile = z.object({
  stages: z.array(z.object({ folder: z.string(), stage: z.string() })),
})

const read = (path: string) => readFileSync(projectPath(path), 'utf8')
const architecture = read('docs/architecture.md')
const stages = stagesFile.parse(JSON.parse(read('src-stages.json'))).stages

const srcFolders = readdirSync(projectPath('src'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort()

/** The rows of the page's folder table, in order: the folder of src/ and its stage. */
function folderTable(page: string): { folder: string; stage: string }[] {
  const section = /## Where each thing happens\n([\s\S]*?)\n## /.exec(page)?.[1] ?? ''
  return [...section.matchAll(/^\| `src\/([^`/]+)\/` +\| ([^|]+?) +\|/gm)].map((m) => ({
    folder: m[1] ?? '',
    stage: m[2] ?? '',
  }))
}

/** Tables the migrations create, leaving out partitions (`CREATE TABLE x PARTITION OF y`). */
function migrationTables(): string[] {
  const folder = projectPath('db/migrations')
  return readdirSync(folder)
    .filter((name) => name.endsWith('.sql'))
    .flatMap((name) => {
      const sql = readFileSync(join(folder, name), 'utf8').replace(/--.*$/gm, '')
      return [...sql.matchAll(/CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)/gi)]
        .filter((m) => !/^[^;]*\bPARTITION\s+OF\b/i.test(sql.slice(m.index)))
        .map((m) => m[1] ?? '')
    })
}

/** Markdown pages whose relative links must resolve. */
function pages(): string[] {
  const docs = readdirSync(projectPath('docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`)
  return ['README.md', 'clients/python/README.md', ...docs]
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsOf(page: string): Set<string> {
  const prose = page.replace(/^```[\s\S]*?^```/gm, '')
  return new Set([...prose.matchAll(/^#{1,6} +(.+)$/gm)].map((m) => anchorOf(m[1] ?? '')))
}

/** Every relative link of a page that points at no file, or at no heading of its file. */
function brokenLinks(path: string): string[] {
  const prose = read(path).replace(/^```[\s\S]*?^```/gm, '')
  const links = [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '')
  return links
    .filter((link) => !/^[a-z]+:/i.test(link))
    .filter((link) => {
      const [file = '', anchor] = link.split('#')
      const target = file === '' ? projectPath(path) : join(dirname(projectPath(path)), file)
      if (!existsSync(target)) return true
      if (anchor === undefined || !target.endsWith('.md')) return false
      return !anchorsOf(readFileSync(target, 'utf8')).has(anchor)
    })
    .map((link) => `${path}: ${link}`)
}

describe('docs/architecture.md', () => {
  it('lists every folder of src/ in its folder table', () => {
    const listed = folderTable(architecture).map((row) => row.folder)
    expect([...listed].sort()).toEqual(srcFolders)
  })

  it('lists the folders in the order of the stages lint is built from', () => {
    expect(folderTable(architecture)).toEqual(stages)
    expect(stages.map((s) => s.folder).sort()).toEqual(srcFolders)
  })

  it('names every table the migrations create', () => {
    const tables = migrationTables()
    expect(tables).toContain('event_log')
    expect(tables.filter((table) => !architecture.includes(`\`${table}\``))).toEqual([])
  })
})

describe('links between the README and the docs', () => {
  it('point at files and headings that exist', () => {
    expect(pages().flatMap(brokenLinks)).toEqual([])
  })
})
