import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PlantModelSource } from '../../../src/plant/model-source'

describe('reloading the plant model', () => {
  let dir: string
  let file: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'plant-'))
    file = join(dir, 'plant.json')
    await writeFile(
      file,
      await readFile(join(__dirname, '../../fixtures/plant/contract-model.json')),
    )
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  const sourceOf = async () => {
    const s = await PlantModelSource.fromFile(file)
    if (!(s instanceof PlantModelSource)) throw new Error(s.problems.join('\n'))
    return s
  }

  it('takes the new file in on reload', async () => {
    const source = await sourceOf()
    const body = JSON.parse(await readFile(file, 'utf8')) as { microStopSeconds: number }
    await writeFile(file, JSON.stringify({ ...body, microStopSeconds: 30 }))
    await expect(source.reload()).resolves.toEqual({ ok: true })
    expect(source.current.microStopMs).toBe(30_000)
  })

  it('keeps the model in force when the new file has problems, and says which', async () => {
    const source = await sourceOf()
    const before = source.current
    await writeFile(
      file,
      JSON.stringify({ sites: [], calendars: { c: { timeZone: 'Nowhere/Else' } } }),
    )
    const r = await source.reload()
    expect(r.ok).toBe(false)
    expect(r.ok ? [] : r.problems).toEqual(['sites: Too small: expected array to have >=1 items'])
    expect(source.current).toBe(before)
  })

  it('refuses a file that is not JSON, naming it', async () => {
    await writeFile(file, '{ not json')
    const s = await PlantModelSource.fromFile(file)
    expect(s instanceof PlantModelSource ? [] : s.problems).toEqual([
      expect.stringMatching(/plant\.json is not JSON/),
    ])
  })
})
