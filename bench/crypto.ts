/**
 * 1. Crypto ceiling: RSA-2048 SHA-256 signs and verifies per second on one core, pre-parsed
 * key versus a PEM parsed on every call (what a naive client does), in the same run.
 * A pay call costs the server two signs (request Authorization, paySign) and one verify
 * (the response), so its ceiling is signRate ÷ 2, less the verify's share.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { Bench, Row } from './report';
import { opsPerSecond } from './report';

export interface CryptoFigures {
  signPerSec: number;
  signPemPerCallPerSec: number;
  verifyPerSec: number;
  /** Pay calls per second one core could sign and verify: 1 ÷ (2/sign + 1/verify). */
  payCeiling: number;
}

export function measureCrypto(ms: number): CryptoFigures {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const key = createPrivateKey(pem);
  const pub = createPublicKey(publicKey.export({ type: 'spki', format: 'pem' }));
  const message = Buffer.from(
    'POST\n/v3/pay/transactions/jsapi\n1700000000\n593BEC0C930BF1AFEB40B4A08C8FB242\n{"appid":"wx"}\n',
  );
  const signature = sign('sha256', message, key);
  const signPerSec = opsPerSecond(() => sign('sha256', message, key), ms);
  const signPemPerCallPerSec = opsPerSecond(() => sign('sha256', message, pem), ms / 2);
  const verifyPerSec = opsPerSecond(() => verify('sha256', message, pub, signature), ms);
  const payCeiling = 1 / (2 / signPerSec + 1 / verifyPerSec);
  return { signPerSec, signPemPerCallPerSec, verifyPerSec, payCeiling };
}

export const cryptoBench: Bench = {
  name: 'crypto ceiling',
  async run({ smoke }) {
    const f = measureCrypto(smoke ? 40 : 1500);
    const rows: Row[] = [
      {
        benchmark: 'crypto',
        metric: 'RSA-2048 sign, pre-parsed key',
        value: f.signPerSec,
        unit: '/s',
        baseline: { label: 'PEM parsed per call', value: f.signPemPerCallPerSec },
      },
      {
        benchmark: 'crypto',
        metric: 'RSA-2048 verify',
        value: f.verifyPerSec,
        unit: '/s',
        baseline: { label: 'sign', value: f.signPerSec },
      },
      {
        benchmark: 'crypto',
        metric: 'pay ceiling (2 signs + 1 verify)',
        value: f.payCeiling,
        unit: 'calls/s',
        baseline: { label: 'sign ÷ 2', value: f.signPerSec / 2 },
        note: 'one core',
      },
    ];
    return rows;
  },
};
