import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { BOUNDS } from './domain/bounds.js'

/** One time-partitioned table's figures for the gauges. */
export type LogTableFigures = {
  partitions: number
  bytes: number
  /** Epoch ms. */
  oldestKept: number | undefined
  dropped: number
}

/** The service's Prometheus metrics, on a registry of its own (tests may start several). */
export type Metrics = ReturnType<typeof createMetrics>

export function createMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'millstream_' })
  const m = {
    registry,
    messagesIn: new Counter({
      name: 'millstream_messages_received_total',
      help: 'Input messages handed to the pipeline',
      registers: [registry],
    }),
    messagesOut: new Counter({
      name: 'millstream_messages_processed_total',
      help: 'Input messages settled, by outcome (applied, duplicate, fenced, dead-lettered, unacknowledged)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: 'millstream_commit_duration_seconds',
      help: 'Duration of one group-commit transaction',
      labelNames: ['store'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    commitBatch: new Histogram({
      name: 'millstream_commit_batch_size',
      help: 'Writes grouped into one transaction',
      labelNames: ['store'] as const,
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers: [registry],
    }),
    alarmNotifications: new Counter({
      name: 'millstream_alarm_notifications_total',
      help: 'Alarm notification outcomes per target (delivered, retried, undeliverable)',
      labelNames: ['target', 'outcome'] as const,
      registers: [registry],
    }),
    alarmNotificationQueue: new Gauge({
      name: 'millstream_alarm_notification_queue',
      help: 'Alarm events committed and not yet delivered or given up, per target',
      labelNames: ['target'] as const,
      registers: [registry],
    }),
    plantModelReloads: new Counter({
      name: 'millstream_plant_model_reloads_total',
      help: 'Reloads of the plant model file on SIGHUP, by outcome (loaded, refused)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    publishRefused: new Counter({
      name: 'millstream_mqtt_publish_refused_total',
      help: 'Messages the MQTT broker refused (it closed the connection on them); never re-sent',
      registers: [registry],
    }),
    embeddedBrokerRefused: new Counter({
      name: 'millstream_embedded_mqtt_refused_total',
      help: 'What the embedded broker refused a client: a connection, a publish or a subscription',
      labelNames: ['what'] as const,
      registers: [registry],
    }),
    publishTimeouts: new Counter({
      name: 'millstream_mqtt_publish_timeouts_total',
      help: 'Publishes (commands, ingest) the MQTT broker did not acknowledge within the deadline',
      registers: [registry],
    }),
    ingestActive: new Gauge({
      name: 'millstream_ingest_active',
      help: 'Whether this instance holds the MQTT ingest session (1) or stands by (0)',
      registers: [registry],
    }),
    ingestForwarded: new Counter({
      name: 'millstream_ingest_forwarded_total',
      help: 'MQTT messages put on the Kafka ingest topic and acknowledged (ingest role)',
      registers: [registry],
    }),
    partitionsOwned: new Gauge({
      name: 'millstream_process_partitions_owned',
      help: 'Partitions of the ingest topic this instance holds (process role)',
      registers: [registry],
    }),
    rebalances: new Counter({
      name: 'millstream_process_rebalances_total',
      help: 'Assignments of partitions this instance received from the consumer group',
      registers: [registry],
    }),
    fencedCommits: new Counter({
      name: 'millstream_process_fenced_commits_total',
      help: 'Inputs (and resume points) whose commit was refused because their partition moved to another instance',
      registers: [registry],
    }),
    partitionLag: new Gauge({
      name: 'millstream_process_partition_lag',
      help: 'Records of a partition of the ingest topic not yet read, after the last batch',
      labelNames: ['partition'] as const,
      registers: [registry],
    }),
    streamSubscribers: new Gauge({
      name: 'millstream_stream_subscribers',
      help: 'Live stream (GET /api/v1/stream) clients connected to this instance',
      registers: [registry],
    }),
    streamPending: new Gauge({
      name: 'millstream_stream_pending_updates',
      help: 'Entity updates waiting to be sent to live stream clients, summed over clients',
      registers: [registry],
    }),
    sparkplugMessages: new Counter({
      name: 'millstream_sparkplug_messages_total',
      help: 'Sparkplug B messages the host read, by message type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    sparkplugRebirths: new Counter({
      name: 'millstream_sparkplug_rebirth_requests_total',
      help: 'Rebirths the host wanted (seq-gap, unknown-alias, before-birth), and whether it sent one or waited out its interval',
      labelNames: ['reason', 'sent'] as const,
      registers: [registry],
    }),
    sparkplugRejected: new Counter({
      name: 'millstream_sparkplug_dead_letters_total',
      help: 'Sparkplug B messages (or parts of them) the host stored as dead letters',
      registers: [registry],
    }),
    sparkplugNodesOnline: new Gauge({
      name: 'millstream_sparkplug_edge_nodes_online',
      help: 'Sparkplug edge nodes born and not dead, as this host sees them',
      registers: [registry],
    }),
    boundReached: new Counter({
      name: 'millstream_bound_reached_total',
      help: 'Inputs refused (dead-lettered) because they would grow state past a configured bound, by bound',
      labelNames: ['bound'] as const,
      registers: [registry],
    }),
    httpSeconds: new Histogram({
      name: 'millstream_http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  }
  // Every bound shows at 0 from the start, so an alert can watch it before it is first reached.
  for (const bound of BOUNDS) m.boundReached.inc({ bound }, 0)
  for (const what of ['connect', 'publish', 'subscribe']) m.embeddedBrokerRefused.inc({ what }, 0)
  return m
}

/** Gauges read when Prometheus scrapes: live actors, relay lag and progress. */
export function registerLiveGauges(
  metrics: Metrics,
  sources: {
    liveActors?: () => Record<string, number>
    inFlight?: () => number
    relayLag?: () => Promise<number | undefined>
    relayPublished?: () => number
    relayParked?: () => number
    seriesLag?: () => Promise<number | undefined>
    logTables?: () => Record<string, LogTableFigures>
    retentionWaiting?: () => Record<string, number>
  },
): void {
  if (sources.liveActors) {
    const liveActors = sources.liveActors
    new Gauge({
      name: 'millstream_live_actors',
      help: 'Entity actors in memory (not passivated), by kind',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
      collect() {
        for (const [kind, n] of Object.entries(liveActors())) this.set({ kind }, n)
      },
    })
  }
  if (sources.inFlight) {
    const inFlight = sources.inFlight
    new Gauge({
      name: 'millstream_messages_in_flight',
      help: 'MQTT messages read but not yet committed and acknowledged',
      registers: [metrics.registry],
      collect() {
        this.set(inFlight())
      },
    })
  }
  if (sources.relayLag) {
    const lag = sources.relayLag
    new Gauge({
      name: 'millstream_relay_lag_events',
      help: 'Events committed but not yet published to Kafka',
      registers: [metrics.registry],
      async collect() {
        const n = await lag().catch(() => undefined)
        if (n !== undefined) this.set(n)
      },
    })
  }
  if (sources.seriesLag) {
    const lag = sources.seriesLag
    new Gauge({
      name: 'millstream_series_lag_events',
      help: 'Machine events committed but not yet rolled up into the time series (on the leader)',
      registers: [metrics.registry],
      async collect() {
        const n = await lag().catch(() => undefined)
        if (n !== undefined) this.set(n)
      },
    })
  }
  if (sources.logTables) {
    const tables = sources.logTables
    const figure = (name: string, help: string, pick: (t: LogTableFigures) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['table'] as const,
        registers: [metrics.registry],
        collect() {
          for (const [table, t] of Object.entries(tables())) {
            const v = pick(t)
            if (v !== undefined) this.set({ table }, v)
          }
        },
      })
    figure(
      'millstream_log_partitions',
      'Partitions of each time-partitioned table',
      (t) => t.partitions,
    )
    figure(
      'millstream_log_bytes',
      'Bytes on disk of each time-partitioned table, indexes included',
      (t) => t.bytes,
    )
    figure(
      'millstream_log_oldest_kept_seconds',
      'Unix time of the oldest row kept (the event log) or of the oldest partition start',
      (t) => (t.oldestKept === undefined ? undefined : t.oldestKept / 1000),
    )
    figure(
      'millstream_log_partitions_dropped',
      'Partitions retention dropped since this instance started',
      (t) => t.dropped,
    )
  }
  if (sources.retentionWaiting) {
    const waiting = sources.retentionWaiting
    new Gauge({
      name: 'millstream_retention_waiting_partitions',
      help: 'Partitions past their retention that are kept, by what they wait for (followers, snapshots, archive, detach)',
      labelNames: ['for'] as const,
      registers: [metrics.registry],
      collect() {
        this.reset()
        for (const [reason, n] of Object.entries(waiting())) this.set({ for: reason }, n)
      },
    })
  }
  if (sources.relayPublished) {
    const published = sources.relayPublished
    new Gauge({
      name: 'millstream_relay_published_events',
      help: 'Events this instance has published to Kafka since it started',
      registers: [metrics.registry],
      collect() {
        this.set(published())
      },
    })
  }
  if (sources.relayParked) {
    const parked = sources.relayParked
    new Gauge({
      name: 'millstream_relay_parked_records',
      help: 'Events Kafka refused for good, parked by the relay and not yet republished',
      registers: [metrics.registry],
      collect() {
        this.set(parked())
      },
    })
  }
}

/** The alarm-system figures the alarm gauges show, read once per scrape. */
export type AlarmFigures = {
  active: number
  standing: number
  raisedLast10Minutes: number
  chattering: number
}

/**
 * ISA-18.2 alarm-system health on `/metrics`: `millstream_alarms_active`, `_standing`,
 * `_raised_10m` and `_chattering` (alarms that chattered in the last day). One read serves
 * the four gauges of a scrape.
 */
export function registerAlarmGauges(metrics: Metrics, read: () => Promise<AlarmFigures>): void {
  let pending: { at: number; figures: Promise<AlarmFigures> } | undefined
  // A failed read shows no figures (NaN) rather than failing the whole scrape.
  const unknown: AlarmFigures = {
    active: NaN,
    standing: NaN,
    raisedLast10Minutes: NaN,
    chattering: NaN,
  }
  const figures = () => {
    if (!pending || Date.now() - pending.at > 1000)
      pending = { at: Date.now(), figures: read().catch(() => unknown) }
    return pending.figures
  }
  const gauge = (name: string, help: string, pick: (f: AlarmFigures) => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      async collect() {
        this.set(pick(await figures()))
      },
    })
  gauge('millstream_alarms_active', 'Alarms whose condition holds now', (f) => f.active)
  gauge('millstream_alarms_standing', 'Active alarms raised more than a day ago', (f) => f.standing)
  gauge(
    'millstream_alarms_raised_10m',
    'Alarms raised in the last 10 minutes',
    (f) => f.raisedLast10Minutes,
  )
  gauge(
    'millstream_alarms_chattering',
    'Alarms raised three times within a minute in the last day',
    (f) => f.chattering,
  )
}
