import { createHttpApp, createOpsApp, type HttpHygiene } from '../../../src/http/app'
import { hostNameOf } from '../../../src/http/allowed-hosts'
import { httpDeps } from '../../support/http-deps'
import { serve } from '../../support/http'

async function withApp(
  hygiene: HttpHygiene | undefined,
  run: (url: string) => Promise<void>,
  ops = false,
): Promise<void> {
  const deps = httpDeps(hygiene ? { hygiene } : {})
  const server = await serve(ops ? createOpsApp(deps) : createHttpApp(deps))
  try {
    await run(server.url)
  } finally {
    await server.close()
  }
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
}

describe('HTTP hygiene', () => {
  it('puts the security headers on answers, errors and the ops app, HSTS only over HTTPS', async () => {
    await withApp(undefined, async (url) => {
      for (const path of ['/api/v1/machines', '/api/v1/machines/nope/x', '/healthz']) {
        const res = await fetch(`${url}${path}`)
        expect(Object.fromEntries(res.headers)).toMatchObject({
          ...SECURITY_HEADERS,
          'content-security-policy': "frame-ancestors 'none'",
        })
        expect(res.headers.get('strict-transport-security')).toBeNull()
      }
    })
    await withApp(
      { https: true },
      async (url) => {
        const res = await fetch(`${url}/healthz`)
        expect(Object.fromEntries(res.headers)).toMatchObject(SECURITY_HEADERS)
        expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000')
      },
      true,
    )
  })

  it("keeps the pages' own fuller policy, which forbids framing too", async () => {
    await withApp({ https: false }, async (url) => {
      const res = await fetch(`${url}/api/v1/docs/`)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    })
  })

  it('answers 421 problem+json to a Host not allowed, but probes whatever the Host', async () => {
    await withApp({ https: false, allowedHosts: ['millstream.plant.example'] }, async (url) => {
      const refused = await fetch(`${url}/api/v1/machines`)
      expect(refused.status).toBe(421)
      expect(refused.headers.get('content-type')).toContain('application/problem+json')
      expect(await refused.json()).toMatchObject({ status: 421, code: 'MISDIRECTED' })
      expect(refused.headers.get('x-content-type-options')).toBe('nosniff')
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
    })
    await withApp({ https: false, allowedHosts: ['127.0.0.1'] }, async (url) => {
      expect((await fetch(`${url}/api/v1/machines`)).status).toBe(200)
    })
  })

  it('reads the host name of a Host header, and nothing from a malformed one', () => {
    expect(hostNameOf('Millstream.Example:8443')).toBe('millstream.example')
    expect(hostNameOf('[::1]:8080')).toBe('[::1]')
    expect(hostNameOf('evil.example@millstream.example')).toBeUndefined()
    expect(hostNameOf('millstream.example/x')).toBeUndefined()
    expect(hostNameOf('')).toBeUndefined()
  })

  it('sends no CORS header at all unless origins are configured', async () => {
    await withApp(undefined, async (url) => {
      const res = await fetch(`${url}/api/v1/machines`, {
        headers: { origin: 'https://mes.example' },
      })
      expect(res.headers.get('access-control-allow-origin')).toBeNull()
    })
  })

  it('allows exactly the configured origins, and answers their preflight', async () => {
    await withApp({ https: false, corsOrigins: ['https://mes.example'] }, async (url) => {
      const allowed = await fetch(`${url}/api/v1/machines`, {
        headers: { origin: 'https://mes.example' },
      })
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://mes.example')
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull()
      expect(allowed.headers.get('vary')).toContain('Origin')

      const other = await fetch(`${url}/api/v1/machines`, {
        headers: { origin: 'https://evil.example' },
      })
      expect(other.status).toBe(200)
      expect(other.headers.get('access-control-allow-origin')).toBeNull()

      const preflight = await fetch(`${url}/api/v1/machines/7/commands`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://mes.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      })
      expect(preflight.status).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://mes.example')
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST')
      expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization')

      const otherPreflight = await fetch(`${url}/api/v1/machines/7/commands`, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      })
      expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull()
    })
  })
})
