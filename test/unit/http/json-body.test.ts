import { createHttpApp } from '../../../src/http/app'
import { MAX_BODY_BYTES } from '../../../src/http/json-body'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

describe('JSON request bodies', () => {
  const published: string[] = []
  let server: Awaited<ReturnType<typeof serve>>
  beforeAll(async () => {
    const bus = {
      publish: (_topic: string, payload: string | Buffer) => {
        published.push(String(payload))
        return Promise.resolve()
      },
    }
    server = await serve(createHttpApp(httpDeps({ bus })))
  })
  afterAll(() => server.close())

  const publish = (body: string, type = 'application/json') =>
    fetch(`${server.url}/api/v1/mqtt/publish`, {
      method: 'POST',
      headers: { authorization: 'Bearer s3cret', 'content-type': type },
      body,
    })

  it('answers a body of another media type with a 415 problem', async () => {
    const res = await publish('topic=a&payload=b', 'application/x-www-form-urlencoded')
    expect(res.status).toBe(415)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  })

  it('answers a body over the limit with a 413 problem', async () => {
    const res = await publish(JSON.stringify({ topic: 'a', payload: 'x'.repeat(MAX_BODY_BYTES) }))
    expect(res.status).toBe(413)
  })

  it('answers text that is not JSON with a 400 problem', async () => {
    expect((await publish('{"topic": ')).status).toBe(400)
  })

  it('keeps members named __proto__ as data in a free-form payload, as MQTT input does', async () => {
    const payload = '{"a":[{"__proto__":null,"b":1}]}'
    const res = await publish(`{"topic":"t","payload":${payload}}`)
    expect(res.status).toBe(202)
    expect(published).toEqual([payload])
  })
})
