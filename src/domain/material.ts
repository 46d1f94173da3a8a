import { newEventId } from './event-id.js'
import type { MaterialPriceRecorded } from './events.js'

/** How many recent prices a material actor keeps in memory (the log keeps them all). */
export const PRICE_HISTORY_IN_STATE = 20

export type MaterialState = {
  materialId: string
  sequence: number
  name: string | null
  price: number | null
  priceDate: number | null
  history: { price: number; date: number }[]
}

export type MaterialInput = { kind: 'material-price'; name: string; price: number; date: number }

export function initialMaterialState(materialId: string): MaterialState {
  return { materialId, sequence: 0, name: null, price: null, priceDate: null, history: [] }
}

export function applyMaterialEvent(s: MaterialState, e: MaterialPriceRecorded): MaterialState {
  const history = [...s.history, { price: e.price, date: e.date }]
    .sort((a, b) => a.date - b.date)
    .slice(-PRICE_HISTORY_IN_STATE)
  // The latest price is the one with the latest date, whatever order they arrive in.
  const latest = history[history.length - 1] as { price: number; date: number }
  return {
    ...s,
    sequence: e.sequence,
    name: e.name,
    price: latest.price,
    priceDate: latest.date,
    history,
  }
}

export function decideMaterial(
  s: MaterialState,
  input: MaterialInput,
  now: number,
): MaterialPriceRecorded[] {
  return [
    {
      eventId: newEventId(),
      type: 'MaterialPriceRecorded',
      key: s.materialId,
      sequence: s.sequence + 1,
      occurredAt: input.date,
      recordedAt: now,
      materialId: s.materialId,
      name: input.name,
      price: input.price,
      date: input.date,
    },
  ]
}
