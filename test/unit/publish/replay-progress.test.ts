import { replayProgress } from '../../../src/publish/republish'

describe('a replay progress line', () => {
  it('says how far, how fast and how long is left', () => {
    expect(replayProgress(2500, 10_000, 5000)).toEqual({
      published: 2500,
      ofAtMost: 10_000,
      percent: 25,
      perSecond: 500,
      etaSeconds: 15,
    })
  })

  it('has no estimate before anything is published, and never passes 100%', () => {
    expect(replayProgress(0, 10_000, 2000)).toMatchObject({ perSecond: 0, etaSeconds: null })
    // More than the lag measured at the start: events committed while the replay ran.
    expect(replayProgress(12_000, 10_000, 4000)).toMatchObject({ percent: 100, etaSeconds: 0 })
    expect(replayProgress(0, 0, 0)).toMatchObject({ percent: 100, etaSeconds: null })
  })
})
