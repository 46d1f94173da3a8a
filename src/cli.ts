#!/usr/bin/env -S node --max-semi-space-size=128
// A 128 MB semi-space (also in package.json's start, the Dockerfile and the tests): the
// messages in flight die young instead of being promoted, and each scavenge, which copies what
// is live (the actors' states, the series follower's batch), comes half as often as at 64 MB:
// the bench measured 10% less CPU at 64 MB than at V8's default, and a third less scavenging
// time again at 128 MB.
import { main } from './main/cli.js'
import { redactText } from './security/redact.js'

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    // A connection string quoted in an error must not reach the terminal or its log.
    process.stderr.write(
      `${redactText(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
    )
    process.exitCode = 1
  },
)
