import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * req_info of a v2 refund notification: AES-256-ECB with PKCS#7 padding, keyed with the 32 ASCII
 * characters of the lower-case hex MD5 of the APIv2 key, base64-encoded. ECB is WeChat's choice.
 */
function key(apiV2Key: string): Buffer {
  return Buffer.from(createHash('md5').update(apiV2Key, 'utf8').digest('hex'), 'ascii');
}

export function encryptReqInfo(apiV2Key: string, plaintext: string): string {
  const cipher = createCipheriv('aes-256-ecb', key(apiV2Key), null);
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

export function decryptReqInfo(apiV2Key: string, reqInfo: string): string {
  const decipher = createDecipheriv('aes-256-ecb', key(apiV2Key), null);
  return Buffer.concat([
    decipher.update(Buffer.from(reqInfo, 'base64')),
    decipher.final(),
  ]).toString('utf8');
}
