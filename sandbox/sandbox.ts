import { buildApp } from './app';
import { Scheduler, VirtualClock } from './clock';
import type { SandboxContext } from './context';
import { FaultSet } from './faults';
import { DEFAULT_CREDENTIALS_DIR, loadOrCreateKeys } from './keys';
import { Notifier } from './notifier';
import { Store } from './store';
import { listenTls } from './tls-listener';
import type { Sandbox, SandboxOptions } from './types';

/** Starts a sandbox: loads or generates credentials, then listens. */
export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new RangeError('timeScale must be a positive number');
  }
  const keys = await loadOrCreateKeys(options.credentialsDir ?? DEFAULT_CREDENTIALS_DIR);
  const clock = new VirtualClock();
  const scheduler = new Scheduler(clock, timeScale);
  const store = new Store();
  const faults = new FaultSet();
  const settings = { serialMode: options.serialMode ?? ('publicKey' as const) };
  const notifier = new Notifier({
    keys,
    clock,
    scheduler,
    store,
    faults,
    serialMode: () => settings.serialMode,
  });
  const ctx: SandboxContext = {
    keys,
    clock,
    scheduler,
    store,
    faults,
    notifier,
    settings,
    timeScale,
  };
  const app = buildApp(ctx, options.logger ?? false);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('sandbox did not bind a TCP port');
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // The TLS listener shares the app (routes, hooks, state); if it cannot bind, stop the rest.
  const tlsListener = await listenTls(app, keys, host, options.tlsPort ?? 0).catch(
    async (err: unknown) => {
      scheduler.close();
      await app.close();
      throw err;
    },
  );
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${address.port}`,
    tlsUrl: tlsListener.url,
    credentials: keys.credentials,
    otherApp: keys.otherApp,
    consumerApp: keys.consumerApp,
    merchantCredentialsDir: keys.merchantDir,
    close: () => {
      closing ??= (async () => {
        scheduler.close();
        notifier.close();
        await Promise.all([tlsListener.close(), app.close()]);
      })();
      return closing;
    },
  };
}
