import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { RegisteredSecret } from './run-secrets'

/** How a secret may be written in a log besides as it is. */
export type SecretForm = 'plain' | 'url-encoded' | 'base64' | 'base64url'

/** A secret found in a log: the file, the secret's label, the form it was written in. */
export type Finding = { file: string; label: string; form: SecretForm }

/**
 * The texts to look for: the secret, its URL encoding, and its base64 at each of the three
 * alignments it can have inside a longer base64 text (a SASL PLAIN message, a Basic header),
 * trimmed to the characters that depend on the secret's bytes alone.
 */
export function secretForms(secret: string): { form: SecretForm; text: string }[] {
  const bytes = Buffer.from(secret, 'utf8')
  const forms: { form: SecretForm; text: string }[] = [{ form: 'plain', text: secret }]
  const encoded = encodeURIComponent(secret)
  if (encoded !== secret) forms.push({ form: 'url-encoded', text: encoded })
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '')
    // Characters 0..skip-1 carry bits of the bytes before the secret; a last partial group's
    // final character carries bits of the byte after it.
    const skip = [0, 2, 3][shift] ?? 0
    const tail = (shift + bytes.length) % 3 === 0 ? 0 : 1
    const text = b64.slice(skip, b64.length - tail)
    if (text.length < 6) continue
    forms.push({ form: 'base64', text })
    const url = text.replace(/\+/g, '-').replace(/\//g, '_')
    if (url !== text) forms.push({ form: 'base64url', text: url })
  }
  return forms
}

/** Every regular file under `dir`, recursively, or only its own files when `shallow`. */
export function logFiles(dir: string, shallow = false): string[] {
  let entries
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    return []
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isFile()) return [full]
    if (entry.isDirectory() && !shallow) return logFiles(full)
    return []
  })
}

/** Finds every registered secret, in any of its forms, in `files`: one finding per file and label. */
export function scanFiles(files: string[], secrets: RegisteredSecret[]): Finding[] {
  const needles = secrets.flatMap((s) =>
    secretForms(s.value).map((f) => ({ label: s.label, form: f.form, text: f.text })),
  )
  const findings: Finding[] = []
  for (const file of files) {
    // latin1 keeps every byte one character, so binary files cannot break the search.
    const text = readFileSync(file).toString('latin1')
    const seen = new Set<string>()
    for (const needle of needles) {
      if (seen.has(needle.label)) continue
      if (text.includes(Buffer.from(needle.text, 'utf8').toString('latin1'))) {
        seen.add(needle.label)
        findings.push({ file, label: needle.label, form: needle.form })
      }
    }
  }
  return findings
}
