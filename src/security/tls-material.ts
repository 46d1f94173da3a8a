import { createPrivateKey, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'

/** Reads a file's text; throws the file system's error (tests pass their own). */
export type ReadText = (path: string) => string

/** The file system's reader. */
export const readTextFile: ReadText = (path) => readFileSync(path, 'utf8')

/** TLS material for a client: the CA it trusts, and its own certificate and key if it has one. */
export type TlsMaterial = Readonly<{ ca?: string; cert?: string; key?: string }>

/** The paths of a client's TLS files, each with the setting that named it. */
export type TlsFiles = Readonly<{
  ca?: { setting: string; path: string }
  cert?: { setting: string; path: string }
  key?: { setting: string; path: string }
}>

/** A file setting: its name and its value (the file's path), if set. */
export type FileSetting = [setting: string, path: string | undefined]

/** The files of those settings that are set, each named by its setting. */
export function tlsFiles(settings: Record<'ca' | 'cert' | 'key', FileSetting>): TlsFiles {
  const named = (which: 'ca' | 'cert' | 'key') => {
    const [setting, path] = settings[which]
    return path === undefined ? {} : { [which]: { setting, path } }
  }
  return { ...named('ca'), ...named('cert'), ...named('key') }
}

/**
 * Reads and checks a client's TLS files: each readable, the CA and certificate parse as X.509,
 * the key as a private key that belongs to the certificate. Every problem is returned, named
 * by its setting, so a start-up error lists them all at once.
 */
export function readTlsFiles(
  files: TlsFiles,
  read: ReadText,
): { material: TlsMaterial; problems: string[] } {
  const problems: string[] = []
  const text = (file: { setting: string; path: string } | undefined) => {
    if (!file) return undefined
    const content = readOrReport(file, read, problems)
    if (content === undefined || content.trim() !== '') return content
    problems.push(`${file.setting}: ${file.path} is empty`)
    return undefined
  }
  const ca = text(files.ca)
  const cert = text(files.cert)
  const key = text(files.key)
  if ((files.cert === undefined) !== (files.key === undefined)) {
    const missing = files.cert === undefined ? 'cert' : 'key'
    const given = files.cert ?? files.key
    problems.push(
      `${given?.setting}: a client certificate needs both a certificate and a key file (no ${missing} file set)`,
    )
  }
  if (ca !== undefined && files.ca && !parsesAsCertificate(ca))
    problems.push(`${files.ca.setting}: ${files.ca.path} holds no PEM certificate`)
  const certificate =
    cert !== undefined && files.cert ? certificateOrReport(cert, files.cert, problems) : undefined
  if (key !== undefined && files.key) {
    try {
      const privateKey = createPrivateKey(key)
      if (certificate && !certificate.checkPrivateKey(privateKey))
        problems.push(
          `${files.key.setting}: ${files.key.path} is not the key of ${files.cert?.path ?? 'the certificate'}`,
        )
    } catch {
      problems.push(`${files.key.setting}: ${files.key.path} holds no unencrypted PEM private key`)
    }
  }
  return {
    material: {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
    },
    problems,
  }
}

/**
 * A secret read from a file (a password), without its final line break. A missing, unreadable
 * or empty file is a problem named by its setting; the secret itself never appears in one.
 */
export function readSecretFile(
  file: { setting: string; path: string },
  read: ReadText,
  problems: string[],
): string | undefined {
  const content = readOrReport(file, read, problems)
  if (content === undefined) return undefined
  const secret = content.replace(/\r?\n$/, '')
  if (secret === '') {
    problems.push(`${file.setting}: ${file.path} is empty`)
    return undefined
  }
  return secret
}

function readOrReport(
  file: { setting: string; path: string },
  read: ReadText,
  problems: string[],
): string | undefined {
  try {
    return read(file.path)
  } catch (err) {
    // Not `instanceof Error`: errors from another realm (a VM context) fail that test.
    const code =
      typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unreadable'
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code})`
    problems.push(`${file.setting}: ${file.path}: ${why}`)
    return undefined
  }
}

function parsesAsCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem)
    return true
  } catch {
    return false
  }
}

function certificateOrReport(
  pem: string,
  file: { setting: string; path: string },
  problems: string[],
): X509Certificate | undefined {
  try {
    return new X509Certificate(pem)
  } catch {
    problems.push(`${file.setting}: ${file.path} holds no PEM certificate`)
    return undefined
  }
}
