import {
  readSecretFile,
  readTlsFiles,
  tlsFiles,
  type FileSetting,
  type ReadText,
  type TlsMaterial,
} from './tls-material.js'

/** A client's TLS settings: the CA it trusts, its own certificate and key. */
export type ClientTlsSettings = Record<'ca' | 'cert' | 'key', FileSetting>

/**
 * Reads a client's CA, certificate and key files when any is set (or TLS is `asked` for
 * without files: the system's CAs then), with every problem at once, each named by its
 * setting. `material` is undefined when the client does not use TLS.
 */
export function clientTlsFrom(
  settings: ClientTlsSettings,
  read: ReadText,
  asked = false,
): { material?: TlsMaterial; problems: string[] } {
  const given = Object.values(settings).some(([, path]) => path !== undefined)
  if (!given && !asked) return { problems: [] }
  const { material, problems } = readTlsFiles(
    tlsFiles({ ca: settings.ca, cert: settings.cert, key: settings.key }),
    read,
  )
  return { material, problems }
}

/**
 * The secret in the file `path` names, when it is set; a missing, unreadable or empty file is
 * a problem named by `setting` (never with the secret in it).
 */
export function optionalSecretFile(
  setting: string,
  path: string | undefined,
  read: ReadText,
  problems: string[],
): string | undefined {
  return path === undefined ? undefined : readSecretFile({ setting, path }, read, problems)
}
