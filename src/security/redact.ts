/** What a redacted secret is replaced with in logs and messages. */
export const REDACTED = '***'

// Query parameters whose value is a secret (libpq's `password`, `sslpassword`, SASL settings,
// tokens and keys of HTTP APIs); matched on the whole name, case-insensitively.
const SECRET_PARAM = /^(?:.*pass(?:word|phrase)?|pwd|.*secret|.*token|sasl.*|api[-_]?key)$/i

// `scheme://user:password@` in free text: the password (anything up to the last `@` before
// the host) is replaced. The user stays: it says who connected, and is not a secret.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#]*@/gi

// `name=value` pairs of secret-looking names in free text (query strings, libpq keyword
// strings, error messages quoting them).
const TEXT_PARAM =
  /\b((?:[a-z_.-]*pass(?:word|phrase)?|pwd|[a-z_.-]*secret|[a-z_.-]*token|sasl[a-z_.-]*|api[-_]?key)=)("[^"]*"|'[^']*'|[^\s&;,]*)/gi

/**
 * A URL with its credentials redacted: the password of `user:password@` and the value of
 * every password-like query parameter. Text that is not a URL goes through `redactText`.
 */
export function sanitizeUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return redactText(url)
  }
  const secretParams = [...parsed.searchParams.keys()].filter((name) => SECRET_PARAM.test(name))
  // Nothing to hide: the URL as given, not re-serialised.
  if (parsed.password === '' && secretParams.length === 0) return url
  if (parsed.password !== '') parsed.password = REDACTED
  for (const name of secretParams) parsed.searchParams.set(name, REDACTED)
  return parsed.href
}

/** Free text (an error's message or stack) with the credentials of any URL in it redacted. */
export function redactText(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(TEXT_PARAM, `$1${REDACTED}`)
}
