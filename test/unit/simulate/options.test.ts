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
        sparkplug: undefined,
        plantModelOut: undefined,
        roundTheClock: false,
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
        sparkplug: undefined,
        plantModelOut: undefined,
        roundTheClock: false,
      },
    })
  })

  it('reads --plant-model-out and --round-the-clock, and refuses an empty file name', () => {
    const parsed = parseSimulateArgs(['--plant-model-out', 'plant.json', '--round-the-clock'])
    expect(parsed.ok && [parsed.args.plantModelOut, parsed.args.roundTheClock]).toEqual([
      'plant.json',
      true,
    ])
    expect(parseSimulateArgs(['--plant-model-out', ''])).toEqual({
      ok: false,
      problem: 'invalid simulate options: --plant-model-out: a file name, or -',
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

  it('makes the machines Sparkplug devices, 10 to an edge node of group millstream-sim unless told', () => {
    const sparkplug = (argv: string) => {
      const parsed = parseSimulateArgs(argv.split(' '))
      return parsed.ok ? parsed.args.sparkplug : parsed.problem
    }
    expect(sparkplug('--sparkplug')).toEqual({ group: 'millstream-sim', devicesPerNode: 10 })
    expect(sparkplug('--sparkplug --group hall-2 --devices-per-node 4')).toEqual({
      group: 'hall-2',
      devicesPerNode: 4,
    })
  })

  it('refuses Sparkplug settings without --sparkplug, a group that is not one topic level, and --history', () => {
    const problem = (argv: string) => {
      const parsed = parseSimulateArgs(argv.split(' '))
      return parsed.ok ? '' : parsed.problem
    }
    expect(problem('--group g')).toContain('--group needs --sparkplug')
    expect(problem('--devices-per-node 3')).toContain('--devices-per-node needs --sparkplug')
    expect(problem('--sparkplug --group a/b')).toContain('--group a/b')
    expect(problem('--sparkplug --devices-per-node 0')).toContain('--devices-per-node 0')
    expect(problem('--sparkplug --history 10')).toContain(
      '--history cannot be used with --sparkplug',
    )
  })
})
