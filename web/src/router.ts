/** The page's places: the plant, or one machine. */
export type Route = { view: 'plant' } | { view: 'machine'; machineId: string }

/** `#/` (or nothing) for the plant, `#/machines/<id>` for a machine. */
export function routeOf(hash: string): Route {
  const match = /^#\/machines\/([^/]+)$/.exec(hash)
  if (match?.[1]) {
    try {
      return { view: 'machine', machineId: decodeURIComponent(match[1]) }
    } catch {
      return { view: 'plant' }
    }
  }
  return { view: 'plant' }
}
