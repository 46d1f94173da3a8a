import { randomUUID } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import type pg from 'pg'
import { PgAdvisoryLock } from '../../journal/advisory-lock.js'
import type { Component } from '../../lifecycle.js'
import type { Logger } from '../../logger.js'
import type { Metrics } from '../../metrics.js'
import { CommittedAlarmEvents } from '../../notify/committed-alarm-events.js'
import { publishAlarmState } from '../../notify/mqtt-alarm-target.js'
import {
  NotificationFollower,
  type NotificationObserver,
  type NotificationTarget,
} from '../../notify/notification-follower.js'
import { PgNotificationStore } from '../../notify/notification-store.js'
import { postAlarm } from '../../notify/webhook-target.js'
import { AlarmQueries } from '../../read/alarm-queries.js'
import type { Leadership } from '../../series/series-follower.js'
import { sanitizeUrl } from '../../security/redact.js'
import { MqttPublisher } from '../../streams/mqtt-publisher.js'
import { ConfigError, type Config } from '../config.js'
import { publisherObserver } from './http.js'

/** Deadline of each statement the followers run. */
const STATEMENT_DEADLINE_MS = 10_000
/** Alarm events read ahead per target: each target's queue holds no more. */
const QUEUE_BOUND = 100

function observer(metrics: Metrics): NotificationObserver {
  const count = (outcome: string) => (target: string) =>
    metrics.alarmNotifications.inc({ target, outcome })
  return {
    delivered: count('delivered'),
    retried: count('retried'),
    undeliverable: count('undeliverable'),
    queued: (target, depth) => metrics.alarmNotificationQueue.set({ target }, depth),
  }
}

async function webhookSecret(file: string | undefined): Promise<string | undefined> {
  if (file === undefined) return undefined
  try {
    // A trailing newline (as editors and `echo` leave) is not part of the secret.
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '')
  } catch (err) {
    throw new ConfigError([`ALARM_WEBHOOK_SECRET_FILE ${file}: ${String(err)}`])
  }
}

/**
 * Alarm notifications: one follower per webhook and one for the MQTT alarm topics, all under
 * one leadership per database (an advisory lock), each with its own cursor.
 */
export function alarmNotifications(
  config: Config,
  pool: pg.Pool,
  mqttUrl: string,
  metrics: Metrics,
  log: Logger,
): Component<NotificationFollower[]> {
  const settings = config.alarmNotify
  const notifyLog = log.child({ module: 'alarm-notifications' })
  const lock = new PgAdvisoryLock(pool, 'millstream-alarm-notifications')
  // The followers share the lock: one try at a time, so two first tries do not race for it.
  let acquiring: Promise<boolean> | undefined
  const leadership: Leadership = {
    acquire: () =>
      (acquiring ??= lock.acquire().finally(() => {
        acquiring = undefined
      })),
    release: () => lock.release(),
  }
  const events = new CommittedAlarmEvents(pool, STATEMENT_DEADLINE_MS)
  const store = new PgNotificationStore(pool, STATEMENT_DEADLINE_MS)
  const alarms = new AlarmQueries(pool)
  let followers: NotificationFollower[] = []
  let publisher: MqttPublisher | undefined
  return {
    name: 'alarm notifications',
    start: async () => {
      const secret = await webhookSecret(settings.webhookSecretFile)
      const targets: NotificationTarget[] = settings.webhookUrls.map((url) => ({
        name: `webhook:${sanitizeUrl(url)}`,
        attempt: (notice, signal) =>
          postAlarm(url, notice, secret, settings.webhookTimeoutMs, signal),
      }))
      if (settings.mqtt) {
        const bus = await MqttPublisher.connect({
          url: mqttUrl,
          security: config.mqtt.security,
          clientId: `${config.mqtt.clientId}-alarms-${randomUUID().slice(0, 8)}`,
          timeoutMs: config.mqtt.publishTimeoutMs,
          log: notifyLog,
          observer: publisherObserver(metrics),
        })
        publisher = bus
        const prefix = config.mqtt.topicPrefix
        targets.push({
          name: 'mqtt',
          attempt: (notice) => publishAlarmState(bus, prefix, notice, (id) => alarms.ofMachine(id)),
        })
      }
      followers = targets.map(
        (target) =>
          new NotificationFollower(
            target,
            leadership,
            events,
            store,
            observer(metrics),
            {
              batch: QUEUE_BOUND,
              pollMs: 500,
              standbyMs: 2000,
              retry: { budgetMs: settings.retryBudgetMs, baseDelayMs: 500, maxDelayMs: 30_000 },
            },
            notifyLog,
          ),
      )
      for (const f of followers) f.start()
      return followers
    },
    stop: async () => {
      await Promise.all(followers.map((f) => f.stop()))
      await leadership.release()
      await publisher?.close()
    },
    checks: () => {
      // A failing target is retried and reported; the service itself is sound.
      const failing = followers.map((f) => f.status()).filter((s) => s.lastError !== undefined)
      const detail =
        failing.length === 0
          ? `${followers.length} targets`
          : failing.map((s) => `${s.target}: ${s.lastError}`).join('; ')
      return Promise.resolve({ alarmNotifications: { ok: true, detail } })
    },
  }
}
