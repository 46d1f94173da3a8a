import { redactText, sanitizeUrl } from '../../../src/security/redact'

describe('sanitizeUrl', () => {
  it('replaces the password of user:password@ and keeps the user and host', () => {
    expect(sanitizeUrl('mqtts://millstream:s3cr%40t@broker.plant:8883')).toBe(
      'mqtts://millstream:***@broker.plant:8883',
    )
    expect(sanitizeUrl('postgres://svc:hunter2@db:5432/millstream')).toBe(
      'postgres://svc:***@db:5432/millstream',
    )
  })

  it('replaces password-like query parameters and keeps the others', () => {
    const url = sanitizeUrl(
      'postgres://db/ms?sslmode=verify-full&password=pw1&sslpassword=pw2&sasl_password=pw3',
    )
    expect(url).toContain('sslmode=verify-full')
    expect(url).not.toMatch(/pw[123]/)
    expect(url).toContain('password=***')
  })

  it('leaves a URL without credentials exactly as it was', () => {
    expect(sanitizeUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883')
  })

  it('redacts text that is not a URL as free text', () => {
    expect(sanitizeUrl('host=db password=pw1 user=x')).toBe('host=db password=*** user=x')
  })
})

describe('redactText', () => {
  it('redacts every URL password in an error message or stack', () => {
    const text =
      'connect to mqtt://dev:pw-a@h:1883 failed\n  at postgres://u:pw-b@db/x (file.js:1:1)'
    const redacted = redactText(text)
    expect(redacted).not.toMatch(/pw-[ab]/)
    expect(redacted).toContain('mqtt://dev:***@h:1883')
    expect(redacted).toContain('postgres://u:***@db/x')
  })

  it('redacts quoted and bare secret key=value pairs', () => {
    expect(redactText(`password='a b' token=xyz sasl.password="q" user=me`)).toBe(
      `password=*** token=*** sasl.password=*** user=me`,
    )
  })
})
