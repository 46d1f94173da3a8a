import type { IClientOptions } from 'mqtt'
import { clientTlsFrom, optionalSecretFile } from '../security/client-tls.js'
import type { ReadText, TlsMaterial } from '../security/tls-material.js'

/**
 * How the service's MQTT clients prove who they are and whom they trust: TLS material (used
 * on `mqtts://` and `wss://`) and a username and password given apart from the URL. Plain
 * data, read once at start-up.
 */
export type MqttSecurity = Readonly<{
  tls?: TlsMaterial
  username?: string
  password?: string
}>

/** The MQTT security settings as given (file paths, not their contents). */
export type MqttSecuritySettings = {
  MQTT_URL?: string | undefined
  MQTT_CA_FILE?: string | undefined
  MQTT_CERT_FILE?: string | undefined
  MQTT_KEY_FILE?: string | undefined
  MQTT_USERNAME?: string | undefined
  MQTT_PASSWORD_FILE?: string | undefined
}

const TLS_SCHEMES = new Set(['mqtts:', 'wss:', 'ssl:', 'tls:'])

/**
 * Reads the files the MQTT security settings name and checks they fit the URL; returns every
 * problem at once. TLS files are refused without a TLS URL: they would silently not be used.
 */
export function mqttSecurityFrom(
  s: MqttSecuritySettings,
  read: ReadText,
): { security: MqttSecurity; problems: string[] } {
  const problems: string[] = []
  const tls = clientTlsFrom(
    {
      ca: ['MQTT_CA_FILE', s.MQTT_CA_FILE],
      cert: ['MQTT_CERT_FILE', s.MQTT_CERT_FILE],
      key: ['MQTT_KEY_FILE', s.MQTT_KEY_FILE],
    },
    read,
  )
  const hasTlsFiles = tls.material !== undefined
  const scheme = s.MQTT_URL === undefined ? undefined : schemeOf(s.MQTT_URL)
  if (hasTlsFiles && (scheme === undefined || !TLS_SCHEMES.has(scheme)))
    problems.push(
      'MQTT_CA_FILE, MQTT_CERT_FILE, MQTT_KEY_FILE: need MQTT_URL=mqtts://… (they are not used otherwise)',
    )
  problems.push(...tls.problems)
  if (s.MQTT_PASSWORD_FILE !== undefined && s.MQTT_USERNAME === undefined)
    problems.push('MQTT_USERNAME: MQTT_PASSWORD_FILE needs it')
  if ((s.MQTT_USERNAME !== undefined || s.MQTT_PASSWORD_FILE !== undefined) && !s.MQTT_URL)
    problems.push('MQTT_USERNAME, MQTT_PASSWORD_FILE: need MQTT_URL (an external broker)')
  const password = optionalSecretFile('MQTT_PASSWORD_FILE', s.MQTT_PASSWORD_FILE, read, problems)
  return {
    security: {
      ...(tls.material ? { tls: tls.material } : {}),
      ...(s.MQTT_USERNAME !== undefined ? { username: s.MQTT_USERNAME } : {}),
      ...(password !== undefined ? { password } : {}),
    },
    problems,
  }
}

/**
 * The mqtt.js options for `security`: the broker's certificate is always verified (against
 * the given CA, else the system's); the client presents its certificate when it has one.
 */
export function mqttConnectionOptions(security: MqttSecurity | undefined): IClientOptions {
  const tls = security?.tls
  return {
    rejectUnauthorized: true,
    ...(tls?.ca !== undefined ? { ca: tls.ca } : {}),
    ...(tls?.cert !== undefined ? { cert: tls.cert } : {}),
    ...(tls?.key !== undefined ? { key: tls.key } : {}),
    ...(security?.username !== undefined ? { username: security.username } : {}),
    ...(security?.password !== undefined ? { password: security.password } : {}),
  }
}

function schemeOf(url: string): string | undefined {
  try {
    return new URL(url).protocol
  } catch {
    return undefined
  }
}
