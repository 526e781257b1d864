/** AEAD_AES_256_GCM resources in notifications: ciphertext base64 = encrypted bytes ‖ 16-byte tag. */
import { createDecipheriv } from 'node:crypto';

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

export class DecryptError extends Error {}

const TAG_LENGTH = 16;

export function decryptResource(resource: EncryptedResource, apiV3Key: string): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') {
    throw new DecryptError(`unsupported algorithm ${resource.algorithm}`);
  }
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new DecryptError('the APIv3 key must be 32 bytes');
  const iv = Buffer.from(resource.nonce, 'utf8');
  if (iv.length !== 12) throw new DecryptError('nonce must be 12 bytes');
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length <= TAG_LENGTH) throw new DecryptError('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - TAG_LENGTH));
  try {
    return Buffer.concat([
      decipher.update(data.subarray(0, data.length - TAG_LENGTH)),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new DecryptError('authentication tag mismatch');
  }
}
