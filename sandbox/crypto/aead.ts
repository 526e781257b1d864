import { createCipheriv, createDecipheriv } from 'node:crypto';

const TAG_BYTES = 16;

/**
 * AEAD_AES_256_GCM as WeChat Pay v3 uses it: the key is the 32 ASCII chars of the APIv3 key,
 * the nonce is a 12-character string used as the IV bytes, the output is base64(ciphertext || tag).
 */
export function encryptResource(
  apiV3Key: string,
  nonce: string,
  associatedData: string,
  plaintext: string,
): string {
  const key = keyBytes(apiV3Key);
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}

export function decryptResource(
  apiV3Key: string,
  nonce: string,
  associatedData: string,
  ciphertextB64: string,
): string {
  const key = keyBytes(apiV3Key);
  const all = Buffer.from(ciphertextB64, 'base64');
  if (all.length < TAG_BYTES) throw new Error('ciphertext shorter than the GCM tag');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'));
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(all.subarray(all.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(all.subarray(0, all.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

function keyBytes(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new Error('APIv3 key must be 32 bytes');
  return key;
}
