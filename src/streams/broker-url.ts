/** A broker URL as it may be logged or shown: without the user name and password it may carry. */
export function withoutCredentials(url: string): string {
  try {
    const shown = new URL(url)
    shown.username = ''
    shown.password = ''
    return shown.toString()
  } catch {
    return '(a broker URL that does not parse)'
  }
}
