/**
 * Which WeChat Pay scheme the merchant holds, and what each needs (server/README.md, "Payment
 * schemes"). Read from the environment next to config.ts; checked again by validateConfig so a
 * hand-built config (tests, startStack) gets the same clear errors.
 */
export type PayScheme = 'v3' | 'v3-partner' | 'v2';
export const PAY_SCHEMES: readonly PayScheme[] = ['v3', 'v3-partner', 'v2'];

import { V2_SIGN_TYPES } from './wechat/pay/v2/sign';
import type { V2SignType } from './wechat/pay/v2/sign';

export { V2_SIGN_TYPES };
export type { V2SignType };

/** API v2 settings (WECHAT_PAY_SCHEME=v2). */
export interface V2Config {
  /** The APIv2 key: 32 characters, set on the merchant platform. */
  key: string;
  signType: V2SignType;
  /**
   * The merchant API certificate (apiclient_cert.pem) for mutual TLS on `/secapi/…` (refunds);
   * its private key is merchantPrivateKeyPem. Without it refunds are refused as misconfigured.
   */
  clientCertPem?: string;
  /** Base of the mutual-TLS endpoints; WeChat serves them at the same host as the rest. */
  secapiBase: string;
}

/**
 * A sub-merchant the provider places orders for (partner mode). `hosts` are the host mini
 * programs (AppIDs) whose plugin orders it takes; `*` takes the owner's own shop and every
 * host not listed elsewhere.
 */
export interface SubMerchant {
  subMchId: string;
  hosts: string[];
  enabled: boolean;
}

export class SchemeConfigError extends Error {}

const MCH_ID = /^\d{6,32}$/;
const APP_ID = /^wx[0-9a-zA-Z]{16}$/;

/** `SUB_MCH_ID=host[,host…]` entries separated by `;` (WECHAT_SUB_MERCHANTS). */
export function parseSubMerchants(raw: string, disabledRaw = ''): SubMerchant[] {
  const disabled = new Set(
    disabledRaw
      .split(/[,;\s]+/)
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const out: SubMerchant[] = [];
  for (const entry of raw
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new SchemeConfigError(
        `WECHAT_SUB_MERCHANTS entry "${entry.slice(0, 40)}" must be SUB_MCH_ID=host[,host…]`,
      );
    }
    const subMchId = entry.slice(0, eq).trim();
    const hosts = entry
      .slice(eq + 1)
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    out.push({ subMchId, hosts, enabled: !disabled.has(subMchId) });
  }
  for (const id of disabled) {
    if (!out.some((s) => s.subMchId === id)) {
      throw new SchemeConfigError(
        `WECHAT_SUB_MERCHANTS_DISABLED names ${id}, which is not in WECHAT_SUB_MERCHANTS`,
      );
    }
  }
  return out;
}

/** Every rule a set of sub-merchants must keep: one owner per host, one default at most. */
export function checkSubMerchants(list: readonly SubMerchant[]): void {
  if (list.length === 0) {
    throw new SchemeConfigError(
      'WECHAT_PAY_SCHEME=v3-partner needs WECHAT_SUB_MERCHANTS (SUB_MCH_ID=host[,host…];…)',
    );
  }
  const ids = new Set<string>();
  const owner = new Map<string, string>();
  for (const s of list) {
    if (!MCH_ID.test(s.subMchId))
      throw new SchemeConfigError(`sub-merchant "${s.subMchId}" must be digits`);
    if (ids.has(s.subMchId))
      throw new SchemeConfigError(`sub-merchant ${s.subMchId} is listed twice`);
    ids.add(s.subMchId);
    if (s.hosts.length === 0)
      throw new SchemeConfigError(`sub-merchant ${s.subMchId} names no host (an AppID or *)`);
    for (const h of s.hosts) {
      if (h !== '*' && !APP_ID.test(h))
        throw new SchemeConfigError(`sub-merchant ${s.subMchId}: "${h}" is not an AppID or *`);
      const earlier = owner.get(h);
      if (earlier !== undefined) {
        throw new SchemeConfigError(
          `${h === '*' ? 'the default (*)' : `host ${h}`} is given to both ${earlier} and ${s.subMchId}`,
        );
      }
      owner.set(h, s.subMchId);
    }
  }
}

export function checkV2(v2: V2Config | undefined): void {
  if (!v2) throw new SchemeConfigError('WECHAT_PAY_SCHEME=v2 needs WECHAT_V2_KEY');
  if (!/^[\x21-\x7e]{32}$/.test(v2.key))
    throw new SchemeConfigError('WECHAT_V2_KEY must be 32 printable ASCII characters');
  if (!V2_SIGN_TYPES.includes(v2.signType))
    throw new SchemeConfigError(`WECHAT_V2_SIGN_TYPE must be one of ${V2_SIGN_TYPES.join(', ')}`);
  if (v2.clientCertPem !== undefined && !v2.clientCertPem.includes('-----BEGIN CERTIFICATE'))
    throw new SchemeConfigError('WECHAT_MERCHANT_CERT is not a PEM certificate');
  const u = new URL(v2.secapiBase);
  if (u.protocol !== 'https:')
    throw new SchemeConfigError('WECHAT_PAY_SECAPI_BASE must be https (mutual TLS)');
}
