import type { KafkaConfig } from 'kafkajs'
import { clientTlsFrom, optionalSecretFile } from '../security/client-tls.js'
import type { ReadText, TlsMaterial } from '../security/tls-material.js'

/** The SASL mechanisms the service's Kafka clients can log in with. */
export const KAFKA_SASL_MECHANISMS = ['scram-sha-512', 'scram-sha-256', 'plain'] as const
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number]

/**
 * How every Kafka client of the service connects: TLS (undefined: plaintext) with the CA it
 * trusts and its own certificate, and SASL (undefined: none). Plain data, so it crosses into
 * the relay's worker thread.
 */
export type KafkaSecurity = Readonly<{
  tls?: TlsMaterial
  sasl?: Readonly<{ mechanism: KafkaSaslMechanism; username: string; password: string }>
}>

/** The Kafka security settings as given (file paths, not their contents). */
export type KafkaSecuritySettings = {
  KAFKA_SSL?: boolean | undefined
  KAFKA_SSL_CA_FILE?: string | undefined
  KAFKA_SSL_CERT_FILE?: string | undefined
  KAFKA_SSL_KEY_FILE?: string | undefined
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism | undefined
  KAFKA_SASL_USERNAME?: string | undefined
  KAFKA_SASL_PASSWORD_FILE?: string | undefined
}

/**
 * Reads the files the Kafka security settings name and checks the settings belong together;
 * returns every problem at once. TLS is on when asked or implied by any TLS file.
 */
export function kafkaSecurityFrom(
  s: KafkaSecuritySettings,
  read: ReadText,
): { security: KafkaSecurity; problems: string[] } {
  const problems: string[] = []
  const wantsTls =
    s.KAFKA_SSL === true ||
    s.KAFKA_SSL_CA_FILE !== undefined ||
    s.KAFKA_SSL_CERT_FILE !== undefined ||
    s.KAFKA_SSL_KEY_FILE !== undefined
  if (s.KAFKA_SSL === false && wantsTls)
    problems.push('KAFKA_SSL: false, but a KAFKA_SSL_*_FILE is set')
  const tls = clientTlsFrom(
    {
      ca: ['KAFKA_SSL_CA_FILE', s.KAFKA_SSL_CA_FILE],
      cert: ['KAFKA_SSL_CERT_FILE', s.KAFKA_SSL_CERT_FILE],
      key: ['KAFKA_SSL_KEY_FILE', s.KAFKA_SSL_KEY_FILE],
    },
    read,
    wantsTls,
  )
  problems.push(...tls.problems)
  const sasl = saslFrom(s, wantsTls, read, problems)
  return {
    security: {
      ...(tls.material ? { tls: tls.material } : {}),
      ...(sasl ? { sasl } : {}),
    },
    problems,
  }
}

function saslFrom(
  s: KafkaSecuritySettings,
  tls: boolean,
  read: ReadText,
  problems: string[],
): KafkaSecurity['sasl'] {
  const mechanism = s.KAFKA_SASL_MECHANISM
  if (mechanism === undefined) {
    if (s.KAFKA_SASL_USERNAME !== undefined || s.KAFKA_SASL_PASSWORD_FILE !== undefined)
      problems.push('KAFKA_SASL_MECHANISM: set it (scram-sha-512) to log in with the username')
    return undefined
  }
  if (s.KAFKA_SASL_USERNAME === undefined)
    problems.push(`KAFKA_SASL_USERNAME: KAFKA_SASL_MECHANISM=${mechanism} needs it`)
  if (s.KAFKA_SASL_PASSWORD_FILE === undefined)
    problems.push(`KAFKA_SASL_PASSWORD_FILE: KAFKA_SASL_MECHANISM=${mechanism} needs it`)
  // PLAIN sends the password itself: never over a link anyone on the path can read.
  if (mechanism === 'plain' && !tls)
    problems.push('KAFKA_SASL_MECHANISM: plain sends the password in clear; set KAFKA_SSL=true')
  const password = optionalSecretFile(
    'KAFKA_SASL_PASSWORD_FILE',
    s.KAFKA_SASL_PASSWORD_FILE,
    read,
    problems,
  )
  if (s.KAFKA_SASL_USERNAME === undefined || password === undefined) return undefined
  return { mechanism, username: s.KAFKA_SASL_USERNAME, password }
}

/**
 * The kafkajs connection options for `security`: TLS verifies the broker's certificate
 * (against the given CA, else the system's), and SASL logs in.
 */
export function kafkaConnectionOptions(
  security: KafkaSecurity | undefined,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const tls = security?.tls
  const sasl = security?.sasl
  return {
    ...(tls
      ? {
          ssl: {
            rejectUnauthorized: true,
            ...(tls.ca !== undefined ? { ca: [tls.ca] } : {}),
            ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
            ...(tls.key !== undefined ? { key: tls.key } : {}),
          },
        }
      : {}),
    ...(sasl ? { sasl: saslOption(sasl) } : {}),
  }
}

function saslOption(sasl: NonNullable<KafkaSecurity['sasl']>): NonNullable<KafkaConfig['sasl']> {
  const { username, password } = sasl
  switch (sasl.mechanism) {
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password }
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password }
    case 'plain':
      return { mechanism: 'plain', username, password }
  }
}
