import { sleep } from '../../src/abortable-sleep'

describe('an abortable sleep', () => {
  it('resolves after its time when nothing aborts', async () => {
    const controller = new AbortController()
    await expect(sleep(1, controller.signal)).resolves.toBeUndefined()
  })

  it('wakes every sleeper on one signal through a single listener', async () => {
    const controller = new AbortController()
    const listen = jest.spyOn(controller.signal, 'addEventListener')
    const sleeps = Array.from({ length: 50 }, () =>
      sleep(60_000, controller.signal).catch((e: unknown) => e),
    )
    const reason = new Error('stop')
    controller.abort(reason)
    expect(await Promise.all(sleeps)).toEqual(Array.from({ length: 50 }, () => reason))
    expect(listen).toHaveBeenCalledTimes(1)
  })

  it('rejects with an AbortError naming a reason that is not an Error', async () => {
    await expect(sleep(60_000, AbortSignal.abort('stop'))).rejects.toMatchObject({
      name: 'AbortError',
      message: 'aborted: stop',
    })
  })
})
