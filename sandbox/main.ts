import { resolve } from 'node:path';
import { DEFAULT_CREDENTIALS_DIR } from './keys';
import { createSandbox } from './sandbox';
import type { SerialMode } from './types';

function serialMode(value: string | undefined): SerialMode | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'certificate' || value === 'publicKey') return value;
  throw new Error(`SANDBOX_SERIAL_MODE must be 'certificate' or 'publicKey', got '${value}'`);
}

function number(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got '${raw}'`);
  return n;
}

async function main(): Promise<void> {
  const credentialsDir = process.env.SANDBOX_CREDENTIALS_DIR
    ? resolve(process.env.SANDBOX_CREDENTIALS_DIR)
    : DEFAULT_CREDENTIALS_DIR;
  const sandbox = await createSandbox({
    port: number('SANDBOX_PORT', 3100),
    tlsPort: number('SANDBOX_TLS_PORT', 3101),
    host: process.env.SANDBOX_HOST || '127.0.0.1',
    credentialsDir,
    timeScale: number('SANDBOX_TIME_SCALE', 1),
    serialMode: serialMode(process.env.SANDBOX_SERIAL_MODE),
    logger: process.env.SANDBOX_LOG === '1',
  });
  console.log(`WeChat sandbox listening on ${sandbox.url}`);
  console.log(`  code2Session:     ${sandbox.url}/sns/jscode2session`);
  console.log(`  Pay API v3 base:  ${sandbox.url}/v3/`);
  console.log(`  Pay API v2:       ${sandbox.url}/pay/ (XML, MD5 / HMAC-SHA256)`);
  console.log(`  TLS (mutual TLS): ${sandbox.tlsUrl}/secapi/pay/refund`);
  console.log(`  inspection page:  ${sandbox.url}/sandbox`);
  console.log(`  merchant credentials written to ${sandbox.merchantCredentialsDir}`);
  const c = sandbox.credentials;
  console.log(`  appid ${c.appId}, mchid ${c.mchId}`);
  console.log(
    `  service provider sp_mchid ${c.spMchId}, sub_mchids ${c.subMchIds.join(' ')} (unbound: ${c.unboundSubMchId})`,
  );
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: closing sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
