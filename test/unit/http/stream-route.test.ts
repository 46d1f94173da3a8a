import { createHttpApp } from '../../../src/http/app'
import type { LiveUpdates, StreamRequest } from '../../../src/read/ports'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

/** A stream that records what it was asked for, says hello and stays open. */
function recordingStream(): LiveUpdates & { asked: StreamRequest[]; closed: number } {
  const stream = {
    asked: [] as StreamRequest[],
    closed: 0,
    subscribe: (request: StreamRequest, sink: Parameters<LiveUpdates['subscribe']>[1]) => {
      stream.asked.push(request)
      sink.send([{ event: 'hello', id: '5-6', data: '{"cursor":"5-6"}' }])
      return Promise.resolve({
        close: () => {
          stream.closed++
          sink.end()
        },
      })
    },
  }
  return stream
}

describe('GET /api/v1/stream', () => {
  it('answers with Server-Sent Events, unbuffered and uncached, and ends when asked', async () => {
    const stream = recordingStream()
    const server = await serve(createHttpApp(httpDeps({ stream })))
    try {
      const res = await fetch(`${server.url}/api/v1/stream?closeAfterMs=50`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
      expect(res.headers.get('cache-control')).toBe('no-cache')
      expect(res.headers.get('x-accel-buffering')).toBe('no')
      expect(res.headers.get('content-encoding')).toBeNull()
      expect(await res.text()).toBe('id: 5-6\nevent: hello\ndata: {"cursor":"5-6"}\n\n')
      expect(stream.closed).toBe(1)
      expect([...(stream.asked[0]?.filter.kinds ?? [])].sort()).toEqual([
        'deadletter',
        'machine',
        'material',
        'part',
      ])
      expect(stream.asked[0]?.filter.machines).toBeUndefined()
    } finally {
      await server.close()
    }
  })

  it('reads filters repeated or comma-separated, and the resume point (header first)', async () => {
    const stream = recordingStream()
    const server = await serve(createHttpApp(httpDeps({ stream })))
    try {
      const q = 'machine=M-1,M-2&machine=M-3&kind=machine&kind=part,machine&lastEventId=1-1'
      await (await fetch(`${server.url}/api/v1/stream?${q}&closeAfterMs=1`)).text()
      await (
        await fetch(`${server.url}/api/v1/stream?lastEventId=1-1&closeAfterMs=1`, {
          headers: { 'Last-Event-ID': '7-8' },
        })
      ).text()
      const [first, second] = stream.asked
      expect([...(first?.filter.machines ?? [])]).toEqual(['M-1', 'M-2', 'M-3'])
      expect([...(first?.filter.kinds ?? [])]).toEqual(['machine', 'part'])
      expect(first?.resumeFrom).toBe('1-1')
      expect(second?.resumeFrom).toBe('7-8')
    } finally {
      await server.close()
    }
  })

  it.each([
    'kind=robot',
    'kind=',
    'machine=',
    'machine=a%20b',
    'machine=M-1,,M-2',
    'closeAfterMs=0',
    'closeAfterMs=1.5',
    `lastEventId=${'1'.repeat(65)}`,
    'since=1',
  ])('refuses %s with 400', async (query) => {
    const server = await serve(createHttpApp(httpDeps({ stream: recordingStream() })))
    try {
      const res = await fetch(`${server.url}/api/v1/stream?${query}`)
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    } finally {
      await server.close()
    }
  })

  it('closes the subscription when the client goes away', async () => {
    const stream = recordingStream()
    const server = await serve(createHttpApp(httpDeps({ stream })))
    try {
      const abort = new AbortController()
      const res = await fetch(`${server.url}/api/v1/stream`, { signal: abort.signal })
      const reader = res.body?.getReader()
      await reader?.read()
      abort.abort()
      for (let i = 0; i < 100 && stream.closed === 0; i++)
        await new Promise((r) => setTimeout(r, 10))
      expect(stream.closed).toBe(1)
    } finally {
      await server.close()
    }
  })
})
