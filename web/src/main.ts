import { byId, setData, setText } from './dom.js'
import { MARKS } from './fleet-grid.js'
import { LiveStream, type LinkStatus } from './live.js'
import { MachinePage } from './machine-view.js'
import { PlantView } from './plant-view.js'
import { routeOf } from './router.js'

const STATUS_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline, retrying',
} as const satisfies Record<LinkStatus, string>

const TICK_MS = 5_000

/** A failed read, shown in the page: a supervisor has no console. */
function failed(what: string, err: unknown): void {
  const node = byId('page-error')
  setText(node, `Could not load ${what}: ${err instanceof Error ? err.message : String(err)}`)
  node.hidden = false
}

const plant = new PlantView(failed)
const machine = new MachinePage(failed)

function route(): void {
  const place = routeOf(location.hash)
  byId('plant-view').hidden = place.view !== 'plant'
  byId('machine-view').hidden = place.view !== 'machine'
  if (place.view === 'machine') {
    setText(byId('crumb'), `machine ${place.machineId}`)
    machine.open(place.machineId)
  } else {
    setText(byId('crumb'), '')
    machine.close()
  }
  window.scrollTo(0, 0)
}

const live = new LiveStream({
  machines: (views) => {
    plant.apply(views)
    machine.apply(views)
  },
  deadLetter: (letter) => plant.addDeadLetter(letter),
  reset: () => void loadLists(),
  status: (status) => {
    const node = byId('link-status')
    setData(node, 'status', status)
    setText(node, STATUS_TEXT[status])
  },
})

/** Loads the lists with the stream's updates held, so none is applied to a list read before it. */
async function loadLists(): Promise<void> {
  live.hold(true)
  try {
    await plant.load()
    byId('page-error').hidden = true
  } catch (err) {
    failed('the fleet', err)
  } finally {
    live.hold(false)
  }
}

function tick(): void {
  const now = Date.now()
  setText(
    byId('clock'),
    new Date(now).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }),
  )
  plant.tick(now)
  machine.tick(now)
}

window.addEventListener('hashchange', route)
route()
tick()
setInterval(tick, TICK_MS)
// The stream first: a change committed while the lists load is then delivered after them.
void live.start().then(() => {
  performance.mark(MARKS.streamOpen)
  return loadLists()
})
