import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile, access } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { certificateDer, merchantCertificate, tlsCertificate } from './certs';
import { randomAlnum, randomDigits, randomHexUpper } from './ids';
import type { MerchantCredentials, OtherApp } from './types';

const generateKeyPairAsync = promisify(generateKeyPair);

/** The nearest folder holding package.json: the same from sandbox/ and from build/sandbox/. */
function repositoryRoot(dir: string): string {
  if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return dir;
  return repositoryRoot(dirname(dir));
}

export const DEFAULT_CREDENTIALS_DIR = resolve(repositoryRoot(__dirname), '.dev-credentials');

/** Everything the sandbox holds: the merchant's view plus the platform's private side. */
export interface SandboxKeys {
  credentials: MerchantCredentials;
  otherApp: OtherApp;
  /** A third-party mini program that embeds the owner's plugin (its own AppID and secret). */
  consumerApp: OtherApp;
  /** Salt for deriving stable openids; never leaves the sandbox. */
  openidSalt: string;
  merchantPublicKey: KeyObject;
  platformCertPrivateKey: KeyObject;
  platformPubKeyPrivateKey: KeyObject;
  /** PKCS#8 PEM of the TLS listener's key (sandbox/tls_key.pem). */
  tlsKeyPem: string;
  /** DER of apiclient_cert.pem: the only client certificate the TLS listener accepts. */
  merchantCertDer: Buffer;
  merchantDir: string;
}

interface MerchantConfigFile {
  appId: string;
  appSecret: string;
  mchId: string;
  merchantSerialNo: string;
  apiV3Key: string;
  platformCertSerialNo: string;
  platformPublicKeyId: string;
  /** Absent in files written before plugins were registered: generated on load. */
  pluginAppId?: string;
  pluginToken?: string;
  /** Absent in files written before API v2 and partner mode: generated on load. */
  apiV2Key?: string;
  spMchId?: string;
  subMchIds?: string[];
  unboundSubMchId?: string;
  /** Absent in files written before the aggregator (jump-out channel): generated on load. */
  aggregatorMchId?: string;
  aggregatorKey?: string;
  aggregatorAppId?: string;
  /** Absent in files written before the second AppID (cashier mini program): generated on load. */
  cashierApp?: OtherApp;
}

interface SandboxStateFile {
  openidSalt: string;
  otherApp: OtherApp;
  consumerApp?: OtherApp;
}

const FILES = {
  config: 'merchant/config.json',
  merchantKey: 'merchant/apiclient_key.pem',
  platformCertPub: 'merchant/platform_cert_public.pem',
  platformPub: 'merchant/pub_key.pem',
  sandboxState: 'sandbox/sandbox.json',
  merchantPub: 'sandbox/merchant_public.pem',
  platformCertKey: 'sandbox/platform_cert_key.pem',
  platformPubKeyKey: 'sandbox/pub_key_private.pem',
} as const;

/** Files added with API v2 and mutual TLS: older credential folders lack them until upgraded. */
const ADDED_FILES = {
  merchantCert: 'merchant/apiclient_cert.pem',
  tlsCert: 'merchant/sandbox_tls_cert.pem',
  tlsKey: 'sandbox/tls_key.pem',
} as const;

/** A new 10-digit mch id starting with 1 that is none of `taken`. */
function mchId(taken: readonly string[]): string {
  for (;;) {
    const id = `1${randomDigits(9)}`;
    if (!taken.includes(id)) return id;
  }
}

/** The service provider and its sub-merchants: four new ids distinct from each other and mchId. */
function partnerIds(merchantId: string): {
  spMchId: string;
  subMchIds: string[];
  unboundSubMchId: string;
} {
  const taken = [merchantId];
  const next = (): string => {
    const id = mchId(taken);
    taken.push(id);
    return id;
  };
  return { spMchId: next(), subMchIds: [next(), next(), next()], unboundSubMchId: next() };
}

type AggregatorAccount = Pick<
  MerchantCredentials,
  'aggregatorMchId' | 'aggregatorKey' | 'aggregatorAppId'
>;

/** The aggregator's merchant account (its own id space, so any digits do) and its cashier app. */
function aggregatorAccount(): AggregatorAccount {
  return {
    aggregatorMchId: randomDigits(10),
    aggregatorKey: randomAlnum(32),
    aggregatorAppId: appId(),
  };
}

/** The file's aggregator account when complete, else a new one (older folders lack it). */
function aggregatorOf(config: MerchantConfigFile): AggregatorAccount {
  const { aggregatorMchId, aggregatorKey, aggregatorAppId } = config;
  return aggregatorMchId && aggregatorKey && aggregatorAppId
    ? { aggregatorMchId, aggregatorKey, aggregatorAppId }
    : aggregatorAccount();
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Loads the key set from `dir`, or generates a complete new one and writes it there. */
export async function loadOrCreateKeys(dir: string): Promise<SandboxKeys> {
  const existing = await tryLoad(dir);
  if (existing) return existing;
  const generated = await generate(dir);
  await persist(dir, generated);
  return generated;
}

async function tryLoad(dir: string): Promise<SandboxKeys | undefined> {
  for (const rel of Object.values(FILES)) {
    try {
      await access(join(dir, rel));
    } catch {
      return undefined;
    }
  }
  const read = (rel: string): Promise<string> => readFile(join(dir, rel), 'utf8');
  const config = JSON.parse(await read(FILES.config)) as MerchantConfigFile;
  const state = JSON.parse(await read(FILES.sandboxState)) as SandboxStateFile;
  const merchantPrivateKeyPem = await read(FILES.merchantKey);
  const platformCertPublicKeyPem = await read(FILES.platformCertPub);
  const platformPublicKeyPem = await read(FILES.platformPub);
  const [merchantCertFile, tlsCertFile, tlsKeyFile] = await Promise.all(
    Object.values(ADDED_FILES).map((rel) => readOptional(join(dir, rel))),
  );
  // Credentials from before the plugin, API v2 or partner mode: add what is missing, once.
  const partner =
    config.spMchId && config.subMchIds?.length && config.unboundSubMchId
      ? {
          spMchId: config.spMchId,
          subMchIds: config.subMchIds,
          unboundSubMchId: config.unboundSubMchId,
        }
      : partnerIds(config.mchId);
  const tls =
    tlsCertFile && tlsKeyFile
      ? { certPem: tlsCertFile, keyPem: tlsKeyFile }
      : await tlsCertificate();
  const merchantCertPem =
    merchantCertFile ??
    (await merchantCertificate(merchantPrivateKeyPem, config.merchantSerialNo, config.mchId));
  const aggregator = aggregatorOf(config);
  const cashierApp = config.cashierApp ?? newApp();
  const upgrade =
    cashierApp !== config.cashierApp ||
    aggregator.aggregatorKey !== config.aggregatorKey ||
    !config.pluginAppId ||
    !config.pluginToken ||
    !state.consumerApp ||
    !config.apiV2Key ||
    partner.spMchId !== config.spMchId ||
    merchantCertFile === undefined ||
    tlsCertFile === undefined ||
    tlsKeyFile === undefined;
  const keys: SandboxKeys = {
    credentials: {
      appId: config.appId,
      appSecret: config.appSecret,
      mchId: config.mchId,
      merchantSerialNo: config.merchantSerialNo,
      apiV3Key: config.apiV3Key,
      platformCertSerialNo: config.platformCertSerialNo,
      platformPublicKeyId: config.platformPublicKeyId,
      pluginAppId: config.pluginAppId ?? appId(),
      pluginToken: config.pluginToken ?? randomAlnum(32),
      apiV2Key: config.apiV2Key ?? randomAlnum(32),
      ...partner,
      ...aggregator,
      cashierApp,
      merchantPrivateKeyPem,
      platformCertPublicKeyPem,
      platformPublicKeyPem,
      merchantCertPem,
      tlsCertPem: tls.certPem,
    },
    otherApp: state.otherApp,
    consumerApp: state.consumerApp ?? newApp(),
    openidSalt: state.openidSalt,
    merchantPublicKey: createPublicKey(await read(FILES.merchantPub)),
    platformCertPrivateKey: createPrivateKey(await read(FILES.platformCertKey)),
    platformPubKeyPrivateKey: createPrivateKey(await read(FILES.platformPubKeyKey)),
    tlsKeyPem: tls.keyPem,
    merchantCertDer: certificateDer(merchantCertPem),
    merchantDir: join(dir, 'merchant'),
  };
  if (upgrade) await persist(dir, keys);
  return keys;
}

async function newRsaPair(): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  return generateKeyPairAsync('rsa', { modulusLength: 2048 });
}

function appId(): string {
  return `wx${randomBytes(8).toString('hex')}`;
}

function newApp(): OtherApp {
  return { appId: appId(), appSecret: randomBytes(16).toString('hex') };
}

async function generate(dir: string): Promise<SandboxKeys> {
  const [merchant, platformCert, platformPub, tls] = await Promise.all([
    newRsaPair(),
    newRsaPair(),
    newRsaPair(),
    tlsCertificate(),
  ]);
  const pem = (k: KeyObject, type: 'pkcs8' | 'spki'): string =>
    type === 'pkcs8'
      ? (k.export({ type: 'pkcs8', format: 'pem' }) as string)
      : (k.export({ type: 'spki', format: 'pem' }) as string);
  const merchantId = mchId([]);
  const merchantSerialNo = randomHexUpper(40);
  const merchantPrivateKeyPem = pem(merchant.privateKey, 'pkcs8');
  const merchantCertPem = await merchantCertificate(
    merchantPrivateKeyPem,
    merchantSerialNo,
    merchantId,
  );
  return {
    credentials: {
      appId: appId(),
      appSecret: randomBytes(16).toString('hex'),
      mchId: merchantId,
      merchantSerialNo,
      merchantPrivateKeyPem,
      apiV3Key: randomAlnum(32),
      platformCertSerialNo: randomHexUpper(40),
      platformCertPublicKeyPem: pem(platformCert.publicKey, 'spki'),
      platformPublicKeyId: `PUB_KEY_ID_${randomDigits(28)}`,
      platformPublicKeyPem: pem(platformPub.publicKey, 'spki'),
      pluginAppId: appId(),
      pluginToken: randomAlnum(32),
      apiV2Key: randomAlnum(32),
      ...partnerIds(merchantId),
      ...aggregatorAccount(),
      cashierApp: newApp(),
      merchantCertPem,
      tlsCertPem: tls.certPem,
    },
    otherApp: newApp(),
    consumerApp: newApp(),
    openidSalt: randomBytes(32).toString('hex'),
    merchantPublicKey: merchant.publicKey,
    platformCertPrivateKey: platformCert.privateKey,
    platformPubKeyPrivateKey: platformPub.privateKey,
    tlsKeyPem: tls.keyPem,
    merchantCertDer: certificateDer(merchantCertPem),
    merchantDir: join(dir, 'merchant'),
  };
}

async function persist(dir: string, keys: SandboxKeys): Promise<void> {
  await mkdir(join(dir, 'merchant'), { recursive: true, mode: 0o700 });
  await mkdir(join(dir, 'sandbox'), { recursive: true, mode: 0o700 });
  const c = keys.credentials;
  const config: MerchantConfigFile = {
    appId: c.appId,
    appSecret: c.appSecret,
    mchId: c.mchId,
    merchantSerialNo: c.merchantSerialNo,
    apiV3Key: c.apiV3Key,
    platformCertSerialNo: c.platformCertSerialNo,
    platformPublicKeyId: c.platformPublicKeyId,
    pluginAppId: c.pluginAppId,
    pluginToken: c.pluginToken,
    apiV2Key: c.apiV2Key,
    spMchId: c.spMchId,
    subMchIds: c.subMchIds,
    unboundSubMchId: c.unboundSubMchId,
    aggregatorMchId: c.aggregatorMchId,
    aggregatorKey: c.aggregatorKey,
    aggregatorAppId: c.aggregatorAppId,
    cashierApp: c.cashierApp,
  };
  const state: SandboxStateFile = {
    openidSalt: keys.openidSalt,
    otherApp: keys.otherApp,
    consumerApp: keys.consumerApp,
  };
  const secret = { mode: 0o600 };
  const privatePem = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }) as string;
  await Promise.all([
    writeFile(join(dir, FILES.config), `${JSON.stringify(config, null, 2)}\n`, secret),
    writeFile(join(dir, FILES.merchantKey), c.merchantPrivateKeyPem, secret),
    writeFile(join(dir, FILES.platformCertPub), c.platformCertPublicKeyPem),
    writeFile(join(dir, FILES.platformPub), c.platformPublicKeyPem),
    writeFile(join(dir, FILES.sandboxState), `${JSON.stringify(state, null, 2)}\n`, secret),
    writeFile(
      join(dir, FILES.merchantPub),
      keys.merchantPublicKey.export({ type: 'spki', format: 'pem' }) as string,
    ),
    writeFile(join(dir, FILES.platformCertKey), privatePem(keys.platformCertPrivateKey), secret),
    writeFile(
      join(dir, FILES.platformPubKeyKey),
      privatePem(keys.platformPubKeyPrivateKey),
      secret,
    ),
    writeFile(join(dir, ADDED_FILES.merchantCert), c.merchantCertPem),
    writeFile(join(dir, ADDED_FILES.tlsCert), c.tlsCertPem),
    writeFile(join(dir, ADDED_FILES.tlsKey), keys.tlsKeyPem, secret),
  ]);
}
