// What the command line accepts, for its help and its errors.
export const USAGE = `usage: millstream <command> [options]

commands:
  start                       run the service (configuration from the environment: docs/configuration.md)
  simulate [--machines N] [--speed X] [--duration S] [--scrap P] [--seed K]
           [--mtbf MIN] [--mttr MIN] [--rate R]
           [--sparkplug [--group G] [--devices-per-node D]] [--plant-model-out FILE]
           [--round-the-clock]
                              run a plant of N virtual machines (20) over MQTT: states with
                              failures, repairs and maintenance, parts at their cycle times with
                              a share P scrapped (0.02), telemetry, part and material data; X
                              simulated seconds a second (1); for S seconds, 0 until Ctrl-C (0);
                              seed K (1) makes the same plant; mean time between failures and to
                              repair in simulated minutes (45, 4); R parts/s per machine instead
                              of the parts' cycle times; --sparkplug: the machines are Sparkplug
                              B devices, D to an edge node line-1, line-2, ... (10), in group G
                              (millstream-sim), answering rebirth and maintenance commands (part
                              and material data stay JSON; not with --history); the machines
                              keep the shifts and breaks of the plant model that
                              --plant-model-out writes to FILE (- prints it) before exiting;
                              --round-the-clock: no breaks, no time off
  migrate                     apply database migrations and exit
  replay rebuild --from kafka|log [--since ISO-8601]
                              rebuild the state tables from the Kafka topics or the PostgreSQL log
  replay publish [--since ISO-8601] [--topic-prefix P] [--restart]
                              re-publish the PostgreSQL log to Kafka (resumes where it stopped)
  retention [--dry-run]       one retention pass of the event log now (archive, then drop the
                              partitions past EVENT_RETENTION, keys past DEDUP_WINDOW), or with
                              --dry-run say what it would drop and what each partition waits for
  parked list|republish [ID]  the events Kafka refused for good (parked by the relay), or ask the
                              running relay to publish one (ID) or all of them again
  devices add NAME [--machine ID | --gateway [--pattern FILTER]...] | list | rotate NAME
        | revoke NAME         the embedded broker's credentials (DATA_DIR/mqtt-devices.json):
                              a device publishes only under {prefix}/machines/ID/ (ID: NAME),
                              a gateway the filters given ({prefix}/#, supply-chain, spBv1.0/#);
                              add and rotate print the new password once
  catalog                     print the event catalog (type, entity, topic, schema) as JSON
`

/** Says `text` to the person at the terminal (on stderr): words for them, not a log line. */
export function tellUser(text: string): void {
  process.stderr.write(`${text}\n`)
}

/** Prints `problem` and the usage; the exit code of a bad command line. */
export function usage(problem: string): number {
  tellUser(`${problem}\n\n${USAGE}`)
  return 2
}
