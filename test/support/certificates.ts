import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Files of a test PKI: PEM, no passphrases, keys PKCS#8. */
export type TestPki = {
  dir: string
  caCert: string
  caKey: string
  serverCert: string
  serverKey: string
  /** The server's key and certificate in one file (Kafka's PEM key store). */
  serverPem: string
  clientCert: string
  clientKey: string
}

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 })

/**
 * Makes a CA, a server certificate for 127.0.0.1 and localhost, and a client certificate
 * whose common name is `clientName`, all signed by the CA, in `dir`, with openssl.
 */
export function makeTestPki(dir: string, clientName = 'millstream'): TestPki {
  mkdirSync(dir, { recursive: true })
  const f = (name: string) => path.join(dir, name)
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=millstream test CA',
    ].concat(['-keyout', 'ca.key', '-out', 'ca.pem']),
    dir,
  )
  const sign = (name: string, cn: string, ext: string) => {
    writeFileSync(f(`${name}.ext`), ext)
    openssl(
      ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`].concat([
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
      ]),
      dir,
    )
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key'].concat([
        '-CAcreateserial',
        '-days',
        '2',
        '-out',
        `${name}.pem`,
        '-extfile',
        `${name}.ext`,
      ]),
      dir,
    )
  }
  sign(
    'server',
    'localhost',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  )
  sign('client', clientName, 'extendedKeyUsage=clientAuth\n')
  const serverPem = f('server-bundle.pem')
  execFileSync('sh', ['-c', `cat server.key server.pem > server-bundle.pem`], { cwd: dir })
  return {
    dir,
    caCert: f('ca.pem'),
    caKey: f('ca.key'),
    serverCert: f('server.pem'),
    serverKey: f('server.key'),
    serverPem,
    clientCert: f('client.pem'),
    clientKey: f('client.key'),
  }
}
