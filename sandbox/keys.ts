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
  // Credentials from before the plugin and its consumer were registered: add them, once.
  const upgrade = !config.pluginAppId || !config.pluginToken || !state.consumerApp;
  const keys: SandboxKeys = {
    credentials: {
      ...config,
      pluginAppId: config.pluginAppId ?? appId(),
      pluginToken: config.pluginToken ?? randomAlnum(32),
      merchantPrivateKeyPem,
      platformCertPublicKeyPem,
      platformPublicKeyPem,
    },
    otherApp: state.otherApp,
    consumerApp: state.consumerApp ?? newApp(),
    openidSalt: state.openidSalt,
    merchantPublicKey: createPublicKey(await read(FILES.merchantPub)),
    platformCertPrivateKey: createPrivateKey(await read(FILES.platformCertKey)),
    platformPubKeyPrivateKey: createPrivateKey(await read(FILES.platformPubKeyKey)),
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
  const [merchant, platformCert, platformPub] = await Promise.all([
    newRsaPair(),
    newRsaPair(),
    newRsaPair(),
  ]);
  const pem = (k: KeyObject, type: 'pkcs8' | 'spki'): string =>
    type === 'pkcs8'
      ? (k.export({ type: 'pkcs8', format: 'pem' }) as string)
      : (k.export({ type: 'spki', format: 'pem' }) as string);
  return {
    credentials: {
      appId: appId(),
      appSecret: randomBytes(16).toString('hex'),
      mchId: `1${randomDigits(9)}`,
      merchantSerialNo: randomHexUpper(40),
      merchantPrivateKeyPem: pem(merchant.privateKey, 'pkcs8'),
      apiV3Key: randomAlnum(32),
      platformCertSerialNo: randomHexUpper(40),
      platformCertPublicKeyPem: pem(platformCert.publicKey, 'spki'),
      platformPublicKeyId: `PUB_KEY_ID_${randomDigits(28)}`,
      platformPublicKeyPem: pem(platformPub.publicKey, 'spki'),
      pluginAppId: appId(),
      pluginToken: randomAlnum(32),
    },
    otherApp: newApp(),
    consumerApp: newApp(),
    openidSalt: randomBytes(32).toString('hex'),
    merchantPublicKey: merchant.publicKey,
    platformCertPrivateKey: platformCert.privateKey,
    platformPubKeyPrivateKey: platformPub.privateKey,
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
  ]);
}
