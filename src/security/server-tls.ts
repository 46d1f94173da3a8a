import { readTlsFiles, tlsFiles, type FileSetting, type ReadText } from './tls-material.js'

/**
 * A TLS listener's own certificate and key (PEM text, read at start-up), and the CA that must
 * have signed every client's certificate when clients are asked for one.
 */
export type ServerTlsMaterial = Readonly<{ cert: string; key: string; clientCa?: string }>

/** A listener's TLS settings: its certificate and key, the CA of its clients' certificates. */
export type ServerTlsSettings = Record<'cert' | 'key' | 'clientCa', FileSetting>

/**
 * Reads a listener's certificate and key when both are set; every problem at once (a file
 * missing, unreadable, empty, not a certificate, a key that is not the certificate's, one of
 * the two set without the other, a client CA without them), named by its setting. `listener`
 * names the listener in those problems (`HTTPS`).
 */
export function serverTlsFrom(
  s: ServerTlsSettings,
  listener: string,
  read: ReadText,
): { material?: ServerTlsMaterial; problems: string[] } {
  const [certSetting, certPath] = s.cert
  const [keySetting, keyPath] = s.key
  const [caSetting, caPath] = s.clientCa
  if (certPath === undefined && keyPath === undefined)
    return caPath === undefined
      ? { problems: [] }
      : {
          problems: [
            `${caSetting}: client certificates need ${listener} (${certSetting}, ${keySetting})`,
          ],
        }
  if (certPath === undefined || keyPath === undefined)
    return {
      problems: [
        certPath === undefined
          ? `${keySetting}: ${listener} needs ${certSetting} too (both or neither)`
          : `${certSetting}: ${listener} needs ${keySetting} too (both or neither)`,
      ],
    }
  const { material, problems } = readTlsFiles(
    tlsFiles({ ca: s.clientCa, cert: s.cert, key: s.key }),
    read,
  )
  const { cert, key, ca } = material
  return problems.length === 0 && cert !== undefined && key !== undefined
    ? { material: { cert, key, ...(ca !== undefined ? { clientCa: ca } : {}) }, problems }
    : { problems }
}
