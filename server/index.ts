/** Library entry: start the merchant server in-process (tests, `npm start`, bench) or from main.ts. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app';
import type { AppDeps } from './app';
import type { Storage } from './db/connect';
import type { JobRunner } from './jobs';
import type { ServerConfig } from './config';

export { buildApp } from './app';
export type { AppDeps, BuiltApp } from './app';
export { loadConfig, readDevCredentials, validateConfig, ConfigError } from './config';
export type { ServerConfig } from './config';
export { OffsetClock, systemClock } from './clock';
export type { Clock } from './clock';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  storage: Storage;
  /** Run the query and close jobs once, now (tests). */
  jobs: JobRunner;
  /** Finishes in-flight requests, stops jobs, closes the database. */
  close(): Promise<void>;
}

export async function startServer(
  config: ServerConfig,
  deps: Omit<AppDeps, 'ownUrl'> = {},
): Promise<RunningServer> {
  let url = '';
  const built = await buildApp(config, { ...deps, ownUrl: () => url });
  try {
    await built.app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await built.app.close();
    throw err;
  }
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    app: built.app,
    storage: built.storage,
    jobs: built.jobs,
    close: () => (closing ??= built.app.close()),
  };
}
