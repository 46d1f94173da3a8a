import pg from 'pg'
import type { PartCatalog } from '../actors/ports.js'
import { withTimeout } from '../deadline.js'
import type { Logger } from '../logger.js'
import { sleep } from '../abortable-sleep.js'
import { clientConfig, type DatabaseTarget } from './database-target.js'
import { PART_CATALOG_CHANNEL } from './commit-writes.js'

const CONNECT_DEADLINE_MS = 10_000
const RETRY_MAX_MS = 5000

/**
 * Keeps a part catalog current with the cycle times other instances commit (cluster mode:
 * a machine's OEE must not depend on where its part's actor lives). Listens on the channel
 * the commits notify, and reloads the whole catalog on every (re)connect, so nothing told
 * while the connection was down is missed.
 */
export class PartCatalogFeed {
  private client: pg.Client | undefined
  private readonly stopped = new AbortController()
  private connectedOnce: Promise<void> | undefined

  constructor(
    private readonly target: string | DatabaseTarget,
    private readonly catalog: PartCatalog,
    private readonly reload: () => Promise<[number, number][]>,
    private readonly log: Logger,
  ) {}

  /** Resolves once listening with the catalog loaded (retrying meanwhile). */
  start(): Promise<void> {
    this.connectedOnce = this.connectUntilListening()
    return this.connectedOnce
  }

  listening(): boolean {
    return this.client !== undefined
  }

  async stop(): Promise<void> {
    this.stopped.abort(new Error('stopped'))
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => undefined)
  }

  private async connectUntilListening(): Promise<void> {
    let delay = 200
    while (!this.stopped.signal.aborted) {
      const client = new pg.Client(clientConfig(this.target))
      try {
        await withTimeout(this.listen(client), CONNECT_DEADLINE_MS)
        return
      } catch (err) {
        this.log.warn({ err }, 'part catalog feed: cannot listen; retrying')
        await client.end().catch(() => undefined)
        await sleep(delay, this.stopped.signal).catch(() => undefined)
        delay = Math.min(delay * 2, RETRY_MAX_MS)
      }
    }
  }

  private async listen(client: pg.Client): Promise<void> {
    client.on('notification', (n) => {
      if (n.channel === PART_CATALOG_CHANNEL && n.payload) this.apply(n.payload)
    })
    client.on('error', (err) => this.lost(client, err))
    client.on('end', () => this.lost(client, new Error('connection ended')))
    await client.connect()
    await client.query(`LISTEN ${PART_CATALOG_CHANNEL}`)
    for (const [partId, seconds] of await this.reload()) this.catalog.set(partId, seconds)
    // Stopped meanwhile: this connection is not to be kept.
    if (this.stopped.signal.aborted) throw new Error('stopped')
    this.client = client
  }

  private apply(payload: string): void {
    try {
      for (const [partId, seconds] of JSON.parse(payload) as [number, number][])
        this.catalog.set(partId, seconds)
    } catch (err) {
      this.log.error({ err, payload }, 'part catalog feed: unreadable notification')
    }
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client || this.stopped.signal.aborted) return
    this.client = undefined
    this.log.warn({ err }, 'part catalog feed: connection lost; reconnecting')
    void client.end().catch(() => undefined)
    void this.connectUntilListening()
  }
}
