import { PassThrough } from 'node:stream'
import type { StreamMessage, StreamSink } from '../read/ports.js'

/**
 * A live stream's response body as Server-Sent Events. Writes go to a stream Koa pipes to the
 * socket, so `send` turns false once the client reads slower than it is written to.
 */
export class SseSink implements StreamSink {
  readonly body = new PassThrough()

  send(messages: readonly StreamMessage[]): boolean {
    // JSON text holds no raw newline, so each data is one `data:` line.
    return this.write(
      messages.map((m) => `id: ${m.id}\nevent: ${m.event}\ndata: ${m.data}\n\n`).join(''),
    )
  }

  keepalive(): boolean {
    return this.write(': keepalive\n\n')
  }

  onDrain(resume: () => void): void {
    this.body.once('drain', resume)
  }

  end(): void {
    if (this.open()) this.body.end()
  }

  abort(): void {
    this.body.destroy()
  }

  /** The client left or the stream ended: nothing more to write, and nothing to wait for. */
  private write(text: string): boolean {
    return this.open() ? this.body.write(text) : true
  }

  private open(): boolean {
    return !this.body.destroyed && !this.body.writableEnded
  }
}
