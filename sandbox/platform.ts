import { randomBytes } from 'node:crypto';
import { SIGNTEST_PREFIX, responseMessage, signRsaSha256 } from './crypto/sign';
import { randomAlnum } from './ids';
import type { SandboxKeys } from './keys';
import type { SerialMode } from './types';

export type SignatureFault = 'bad_signature' | 'probe_signature' | undefined;

export interface PlatformSignature {
  'Wechatpay-Timestamp': string;
  'Wechatpay-Nonce': string;
  'Wechatpay-Signature': string;
  'Wechatpay-Serial': string;
  'Wechatpay-Signature-Type': string;
}

/**
 * Signs a response or notification body the way WeChat does, with the platform key of the chosen
 * serial mode. Timestamps use the wall clock (see clock.ts).
 */
export function platformSignature(
  keys: SandboxKeys,
  mode: SerialMode,
  body: string,
  fault: SignatureFault,
): PlatformSignature {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomAlnum(32);
  const key = mode === 'certificate' ? keys.platformCertPrivateKey : keys.platformPubKeyPrivateKey;
  const serial =
    mode === 'certificate'
      ? keys.credentials.platformCertSerialNo
      : keys.credentials.platformPublicKeyId;
  let signature: string;
  if (fault === 'probe_signature') {
    signature = `${SIGNTEST_PREFIX}${randomBytes(256).toString('base64')}`;
  } else {
    signature = signRsaSha256(responseMessage(timestamp, nonce, body), key);
    if (fault === 'bad_signature') signature = corrupt(signature);
  }
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': signature,
    'Wechatpay-Serial': serial,
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

/** A well-formed base64 signature that does not verify: flip bits in the middle. */
function corrupt(signature: string): string {
  const bytes = Buffer.from(signature, 'base64');
  const i = Math.floor(bytes.length / 2);
  bytes[i] = (bytes[i] ?? 0) ^ 0xff;
  return bytes.toString('base64');
}

export function signatureFaultOf(kinds: ReadonlySet<string>): SignatureFault {
  if (kinds.has('probe_signature')) return 'probe_signature';
  if (kinds.has('bad_signature')) return 'bad_signature';
  return undefined;
}
