import { readFileSync } from 'node:fs'

/** Reads `export NAME=value` lines, as scripts/services/*.sh write them. */
export function readEnvFile(file: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^(?:export )?([A-Z_]+)=(.*)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]?.replace(/^(['"])(.*)\1$/, '$2')]),
  ) as Record<string, string>
}
