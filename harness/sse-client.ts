/** One Server-Sent Event as received, with the time it arrived (ms, performance clock). */
export type SseEvent = { id: string | undefined; event: string; data: string; receivedAt: number }

/**
 * A Server-Sent Events reader over fetch, for tests and benches: it keeps every event (or
 * hands each to `onEvent` and keeps none, for long runs) and counts comment lines.
 */
export class SseClient {
  readonly events: SseEvent[] = []
  comments = 0
  /** Bytes read so far. */
  bytes = 0
  status = 0
  private readonly abort = new AbortController()
  private ended: Promise<void> | undefined
  private waiters: (() => void)[] = []

  private constructor(private readonly onEvent?: (e: SseEvent) => void) {}

  /** Opens `url`; resolves once the response headers arrived. */
  static async open(
    url: string,
    options: { headers?: Record<string, string>; onEvent?: (e: SseEvent) => void } = {},
  ): Promise<SseClient> {
    const client = new SseClient(options.onEvent)
    const res = await fetch(url, { headers: options.headers, signal: client.abort.signal })
    client.status = res.status
    if (!res.body) throw new Error(`no body (status ${res.status})`)
    client.ended = client.read(res.body)
    return client
  }

  /** Resolves when the server has ended the stream. */
  get done(): Promise<void> {
    return this.ended ?? Promise.resolve()
  }

  /** Waits for a kept event that satisfies `ok` (or for `ok` of nothing, when it looks at state). */
  async until(what: string, ok: (events: SseEvent[]) => boolean, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms
    while (!ok(this.events)) {
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250))
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** Disconnects (as a browser tab that closes). */
  async close(): Promise<void> {
    this.abort.abort()
    await this.ended?.catch(() => undefined)
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of body) {
        this.bytes += chunk.byteLength
        buffer += decoder.decode(chunk, { stream: true })
        const blocks = buffer.split('\n\n')
        buffer = blocks.pop() ?? ''
        for (const block of blocks) this.take(block)
        for (const w of this.waiters.splice(0)) w()
      }
    } catch (err) {
      if (!this.abort.signal.aborted) throw err
    } finally {
      for (const w of this.waiters.splice(0)) w()
    }
  }

  private take(block: string): void {
    let id: string | undefined
    let event = 'message'
    const data: string[] = []
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments++
      else if (line.startsWith('id: ')) id = line.slice(4)
      else if (line.startsWith('event: ')) event = line.slice(7)
      else if (line.startsWith('data: ')) data.push(line.slice(6))
    }
    if (data.length === 0) return
    const e = { id, event, data: data.join('\n'), receivedAt: performance.now() }
    if (this.onEvent) this.onEvent(e)
    else this.events.push(e)
  }
}
