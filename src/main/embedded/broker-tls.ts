import { serverTlsFrom, type ServerTlsMaterial } from '../../security/server-tls.js'
import type { ReadText } from '../../security/tls-material.js'

/** The embedded broker's TLS listener: where it listens, its certificate and key, a client CA. */
export type BrokerTls = ServerTlsMaterial & Readonly<{ port: number; host: string }>

/** The settings as given (file paths, not their contents). */
export type BrokerTlsSettings = {
  EMBEDDED_MQTT_TLS_PORT?: number | undefined
  EMBEDDED_MQTT_TLS_HOST: string
  EMBEDDED_MQTT_TLS_CERT_FILE?: string | undefined
  EMBEDDED_MQTT_TLS_KEY_FILE?: string | undefined
  EMBEDDED_MQTT_TLS_CLIENT_CA_FILE?: string | undefined
}

const LISTENER = "the embedded broker's TLS listener"

/**
 * The TLS listener when its port, certificate and key are set (all three or none), with every
 * problem of its files at once, each named by its setting.
 */
export function brokerTlsFrom(
  s: BrokerTlsSettings,
  read: ReadText,
): { tls?: BrokerTls; problems: string[] } {
  const { material, problems } = serverTlsFrom(
    {
      cert: ['EMBEDDED_MQTT_TLS_CERT_FILE', s.EMBEDDED_MQTT_TLS_CERT_FILE],
      key: ['EMBEDDED_MQTT_TLS_KEY_FILE', s.EMBEDDED_MQTT_TLS_KEY_FILE],
      clientCa: ['EMBEDDED_MQTT_TLS_CLIENT_CA_FILE', s.EMBEDDED_MQTT_TLS_CLIENT_CA_FILE],
    },
    LISTENER,
    read,
  )
  const files = s.EMBEDDED_MQTT_TLS_CERT_FILE !== undefined
  const port = s.EMBEDDED_MQTT_TLS_PORT
  if (port === undefined)
    return files
      ? { problems: [...problems, `EMBEDDED_MQTT_TLS_PORT: ${LISTENER} needs a port`] }
      : { problems }
  if (!files && s.EMBEDDED_MQTT_TLS_KEY_FILE === undefined)
    return {
      problems: [
        `EMBEDDED_MQTT_TLS_PORT: ${LISTENER} needs EMBEDDED_MQTT_TLS_CERT_FILE and EMBEDDED_MQTT_TLS_KEY_FILE`,
      ],
    }
  return material === undefined
    ? { problems }
    : { tls: { ...material, port, host: s.EMBEDDED_MQTT_TLS_HOST }, problems }
}
