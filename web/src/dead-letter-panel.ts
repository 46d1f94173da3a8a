import type { DeadLetter } from './api-types.js'
import { byId, el, setText } from './dom.js'
import { when } from './format.js'

/** How many dead letters the panel keeps. */
export const SHOWN_DEAD_LETTERS = 50

/** Rejected inputs, newest first, with where they came from and why. */
export class DeadLetterPanel {
  private readonly list = byId('dead-letters')
  private shown: DeadLetter[] = []

  load(letters: readonly DeadLetter[], now: number): void {
    this.shown = [...letters].sort((a, b) => b.id - a.id).slice(0, SHOWN_DEAD_LETTERS)
    this.list.replaceChildren(...this.shown.map((l) => this.item(l, now)))
    this.counted()
  }

  add(letter: DeadLetter, now: number): void {
    if (this.shown.some((l) => l.id === letter.id)) return
    this.shown.unshift(letter)
    this.list.prepend(this.item(letter, now))
    while (this.shown.length > SHOWN_DEAD_LETTERS) {
      this.shown.pop()
      this.list.lastElementChild?.remove()
    }
    this.counted()
  }

  private item(letter: DeadLetter, now: number): HTMLElement {
    const item = el('li', '', undefined, [
      el('time', 'dl-time', when(Date.parse(letter.receivedAt), now)),
      el('span', 'dl-source', letter.source),
      el('span', 'dl-reason', letter.reason),
    ])
    item.dataset.id = String(letter.id)
    return item
  }

  private counted(): void {
    setText(
      byId('dead-count'),
      this.shown.length === 0 ? 'none' : `newest ${this.shown.length} first`,
    )
  }
}
