/** The service counters the bench follows, read from its Prometheus endpoint. */
export type ServiceCounters = {
  /** Input messages whose effect is committed in PostgreSQL. */
  applied: number
  deadLettered: number
  /** Events the relay has had acknowledged by Kafka. */
  relayed: number
  /** Group-commit transactions of entity writes so far, their writes and their seconds. */
  commits: number
  commitWrites: number
  commitSeconds: number
  /** Cluster mode, an ingest instance: messages it produced to the ingest topic. */
  ingestForwarded: number
  /** Cluster mode, a process instance: partitions of the ingest topic it holds now. */
  partitionsOwned: number
  rebalances: number
  /** Commits refused because another instance had taken the partition over meanwhile. */
  fencedCommits: number
  /** The Sparkplug host: rebirths it asked for (sent or not), messages it dead-lettered. */
  sparkplugRebirths: number
  sparkplugDeadLetters: number
}

/** Scrapes `/metrics` of a running service. */
export async function readCounters(baseUrl: string): Promise<ServiceCounters> {
  const res = await fetch(`${baseUrl}/metrics`)
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`)
  const text = await res.text()
  return {
    applied: sample(text, 'millstream_messages_processed_total{outcome="applied"}'),
    deadLettered: sample(text, 'millstream_messages_processed_total{outcome="dead-lettered"}'),
    relayed: sample(text, 'millstream_relay_published_events'),
    commits: sample(text, 'millstream_commit_batch_size_count{store="events"}'),
    commitWrites: sample(text, 'millstream_commit_batch_size_sum{store="events"}'),
    commitSeconds: sample(text, 'millstream_commit_duration_seconds_sum{store="events"}'),
    ingestForwarded: sample(text, 'millstream_ingest_forwarded_total'),
    partitionsOwned: sample(text, 'millstream_process_partitions_owned'),
    rebalances: sample(text, 'millstream_process_rebalances_total'),
    fencedCommits: sample(text, 'millstream_process_fenced_commits_total'),
    sparkplugRebirths: sumOf(text, 'millstream_sparkplug_rebirth_requests_total'),
    sparkplugDeadLetters: sample(text, 'millstream_sparkplug_dead_letters_total'),
  }
}

/** Every series of a metric, whatever its labels, added up. */
function sumOf(text: string, name: string): number {
  let sum = 0
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(' ') + 1))
  return sum
}

function sample(text: string, series: string): number {
  const at = text.indexOf(`\n${series} `)
  if (at < 0) return 0
  const end = text.indexOf('\n', at + 1)
  return Number(text.slice(at + series.length + 2, end < 0 ? undefined : end))
}
