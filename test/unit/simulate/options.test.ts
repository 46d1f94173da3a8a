import { parseSimulateArgs } from '../../../src/simulate/options'

describe('the simulate command line', () => {
  it('has defaults that make a plant of 20 machines at real time, until stopped', () => {
    expect(parseSimulateArgs([])).toEqual({
      ok: true,
      args: {
        machines: 20,
        speed: 1,
        durationSeconds: 0,
        scrapShare: 0.02,
        rate: undefined,
        seed: 1,
        mtbfSeconds: 45 * 60,
        mttrSeconds: 4 * 60,
        historyMinutes: 0,
      },
    })
  })

  it('reads every option, with the older --rate still honoured', () => {
    const parsed = parseSimulateArgs(
      '--machines 4 --rate 5 --duration 2 --scrap 0.1 --speed 60 --seed 42 --mtbf 10 --mttr 1.5 --history 90'.split(
        ' ',
      ),
    )
    expect(parsed).toEqual({
      ok: true,
      args: {
        machines: 4,
        speed: 60,
        durationSeconds: 2,
        scrapShare: 0.1,
        rate: 5,
        seed: 42,
        mtbfSeconds: 600,
        mttrSeconds: 90,
        historyMinutes: 90,
      },
    })
  })

  it('reports every bad value at once', () => {
    const parsed = parseSimulateArgs([
      ...'--machines 0 --scrap 2 --seed x --mtbf 0'.split(' '),
      '--speed=-1',
      '--history=-5',
    ])
    expect(parsed.ok).toBe(false)
    const problem = parsed.ok ? '' : parsed.problem
    for (const name of [
      '--machines 0',
      '--speed -1',
      '--scrap 2',
      '--seed x',
      '--mtbf 0',
      '--history -5',
    ])
      expect(problem).toContain(name)
  })

  it('refuses an unknown option', () => {
    expect(parseSimulateArgs(['--machine', '3'])).toMatchObject({ ok: false })
  })
})
