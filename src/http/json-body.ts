import type { Context, Next } from 'koa'

/** The largest request body read, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024

const utf8 = new TextDecoder('utf-8')

/**
 * Reads a JSON request body into `ctx.request.body`: 415 for a body of another media type, 413
 * past `MAX_BODY_BYTES`, 400 for text that is not JSON. Members named `__proto__` are kept as
 * the plain data JSON.parse makes them, as the MQTT path reads them: every route's schema then
 * refuses or drops them, and nothing merges a body into another object.
 */
export async function jsonBody(ctx: Context, next: Next): Promise<void> {
  const declared = Number(ctx.get('content-length') || 0)
  const chunked = ctx.get('transfer-encoding') !== ''
  if (declared > 0 || chunked) {
    if (!ctx.is('application/json', '+json'))
      ctx.throw(
        415,
        `request bodies are application/json, not ${ctx.get('content-type') || 'untyped'}`,
      )
    if (declared > MAX_BODY_BYTES)
      ctx.throw(413, `request body larger than ${MAX_BODY_BYTES} bytes`)
    const text = await readText(ctx)
    try {
      ;(ctx.request as { body?: unknown }).body = text === '' ? undefined : JSON.parse(text)
    } catch (err) {
      ctx.throw(400, `body: not JSON: ${(err as Error).message}`)
    }
  }
  await next()
}

async function readText(ctx: Context): Promise<string> {
  const chunks: Buffer[] = []
  let bytes = 0
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (bytes > MAX_BODY_BYTES) ctx.throw(413, `request body larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk)
  }
  return utf8.decode(Buffer.concat(chunks))
}
