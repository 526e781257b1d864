// @peculiar/x509 resolves its algorithm registry through tsyringe, which needs the Reflect
// metadata API; this import must run before the library loads.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, createPublicKey, webcrypto, X509Certificate } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const RSA_SHA256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const TEN_YEARS_MS = 10 * 365 * 86400_000;

function validity(): { notBefore: Date; notAfter: Date } {
  // A day of slack backwards: a merchant's clock a little behind must not see "not yet valid".
  const notBefore = new Date(Date.now() - 86400_000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + TEN_YEARS_MS) };
}

/**
 * The merchant API certificate (apiclient_cert.pem) for the merchant's existing RSA key, with the
 * serial the merchant already signs v3 requests with and CN = mchid, as WeChat issues them.
 */
export async function merchantCertificate(
  privateKeyPem: string,
  serialHex: string,
  mchId: string,
): Promise<string> {
  const privateKey = createPrivateKey(privateKeyPem);
  const keys = {
    privateKey: await webcrypto.subtle.importKey(
      'pkcs8',
      privateKey.export({ type: 'pkcs8', format: 'der' }),
      RSA_SHA256,
      false,
      ['sign'],
    ),
    publicKey: await webcrypto.subtle.importKey(
      'spki',
      createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
      RSA_SHA256,
      true,
      ['verify'],
    ),
  };
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialHex,
    name: `CN=${mchId}, O=WeChat sandbox merchant, C=CN`,
    ...validity(),
    keys,
    signingAlgorithm: RSA_SHA256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return cert.toString('pem');
}

/** The sandbox TLS listener's own self-signed certificate (merchants pin it as their CA). */
export async function tlsCertificate(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await webcrypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=WeChat sandbox TLS',
    ...validity(),
    keys,
    signingAlgorithm: ECDSA_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: 'ip', value: '127.0.0.1' },
        { type: 'ip', value: '::1' },
        { type: 'dns', value: 'localhost' },
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString('base64')
    .replace(/.{64}/g, '$&\n')
    .replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString('pem'), keyPem };
}

/** DER bytes of a PEM certificate: what the TLS listener compares a client certificate with. */
export function certificateDer(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}
