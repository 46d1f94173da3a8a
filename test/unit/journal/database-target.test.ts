import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  clientConfig,
  databaseTargetFrom,
  explainConnectFailure,
} from '../../../src/journal/database-target'
import { MillstreamError } from '../../../src/errors'
import { ConfigError, loadConfig } from '../../../src/main/config'
import { readTextFile } from '../../../src/security/tls-material'
import { makeTestPki, type TestPki } from '../../support/certificates'

let pki: TestPki

beforeAll(() => {
  pki = makeTestPki(mkdtempSync(path.join(tmpdir(), 'millstream-database-tls-')))
})

const URL_BASE = 'postgres://svc:s3cret@db.example:5432/millstream'

describe('the database connection settings', () => {
  it('take sslmode=verify-full with sslrootcert out of the URL and check chain and host name with that CA', () => {
    const { target, problems } = databaseTargetFrom(
      `${URL_BASE}?sslmode=verify-full&sslrootcert=${pki.caCert}&application_name=x`,
      undefined,
      readTextFile,
    )
    expect(problems).toEqual([])
    expect(target.url).toBe(`${URL_BASE}?application_name=x`)
    const config = clientConfig(target)
    expect(config.connectionString).toBe(target.url)
    expect(config.ssl).toEqual({ rejectUnauthorized: true, ca: readFileSync(pki.caCert, 'utf8') })
  })

  it('read the CA of PGSSLROOTCERT, meaning verify-full when the URL names no sslmode', () => {
    const config = loadConfig({ DATABASE_URL: URL_BASE, PGSSLROOTCERT: pki.caCert })
    expect(config.database.target?.tls).toEqual({
      mode: 'verify-full',
      ca: readFileSync(pki.caCert, 'utf8'),
    })
  })

  it('check the chain but not the name under verify-ca, and neither under no-verify', () => {
    const ca = databaseTargetFrom(`${URL_BASE}?sslmode=verify-ca`, pki.caCert, readTextFile)
    const caSsl = clientConfig(ca.target).ssl
    expect(typeof caSsl === 'object' && caSsl.rejectUnauthorized).toBe(true)
    expect(
      typeof caSsl === 'object' && caSsl.checkServerIdentity?.('other.host', {} as never),
    ).toBe(undefined)
    const none = databaseTargetFrom(`${URL_BASE}?sslmode=no-verify`, undefined, readTextFile)
    expect(clientConfig(none.target).ssl).toEqual({ rejectUnauthorized: false })
  })

  it('verify under require and prefer too, as node-postgres 8 does', () => {
    for (const mode of ['require', 'prefer']) {
      const { target } = databaseTargetFrom(`${URL_BASE}?sslmode=${mode}`, undefined, readTextFile)
      expect(clientConfig(target).ssl).toEqual({ rejectUnauthorized: true })
    }
  })

  it('turn TLS off, explicitly, for a URL without TLS parameters or with sslmode=disable', () => {
    expect(clientConfig(databaseTargetFrom(URL_BASE, undefined, readTextFile).target).ssl).toBe(
      false,
    )
    expect(loadConfig({ DATABASE_URL: `${URL_BASE}?sslmode=disable` }).database.target?.tls).toBe(
      undefined,
    )
  })

  it('stop the start with every problem listed: a missing CA file, an unknown mode, a CA with TLS off, the URL password never shown', () => {
    const missing = path.join(pki.dir, 'no-such-ca.pem')
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env)
      } catch (err) {
        if (err instanceof ConfigError) return err.message
        throw err
      }
      return ''
    }
    const caMissing = problems({
      DATABASE_URL: `${URL_BASE}?sslmode=verify-full`,
      PGSSLROOTCERT: missing,
    })
    expect(caMissing).toContain(`PGSSLROOTCERT: ${missing}`)
    expect(caMissing).not.toContain('s3cret')
    expect(
      problems({ DATABASE_URL: `${URL_BASE}?sslmode=verify-full&sslrootcert=${missing}` }),
    ).toContain(`DATABASE_URL sslrootcert: ${missing}`)
    expect(problems({ DATABASE_URL: `${URL_BASE}?sslmode=sometimes` })).toContain(
      'sslmode=sometimes is unknown',
    )
    expect(
      problems({ DATABASE_URL: `${URL_BASE}?sslmode=disable`, PGSSLROOTCERT: pki.caCert }),
    ).toContain('sslmode=disable')
    expect(problems({ PGSSLROOTCERT: pki.caCert })).toContain('PGSSLROOTCERT: needs DATABASE_URL')
    expect(problems({ DATABASE_URL: `${URL_BASE}?sslmode=verify-ca` })).toContain(
      'verify-ca needs a CA',
    )
  })

  it('leave a bare URL string (the embedded server, tests) as it is', () => {
    expect(clientConfig('postgres://a@b/c')).toEqual({ connectionString: 'postgres://a@b/c' })
  })

  it('say plainly which settings to check when the server certificate is refused, and pass other errors on', () => {
    const refused = Object.assign(new Error('self-signed certificate in certificate chain'), {
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    })
    const explained = explainConnectFailure(refused)
    expect(explained).toBeInstanceOf(MillstreamError)
    expect((explained as MillstreamError).message).toMatch(/PGSSLROOTCERT/)
    expect((explained as MillstreamError).cause).toBe(refused)
    const other = Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' })
    expect(explainConnectFailure(other)).toBe(other)
  })
})
