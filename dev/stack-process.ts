/**
 * Runs `startStack()` in its own Node process for the jsdom tests. The server and the sandbox
 * need Node's globals (fetch) and Node's package exports, which jest's jsdom environment does
 * not give; a real process boundary is also what the WeChat client sees. Controlled over the IPC
 * channel by remote-stack.ts; exits when the parent goes away.
 */
import Database from 'better-sqlite3';
import { startStack } from './stack';
import type { Stack, StackOptions } from './stack';

export type StackCommand =
  | { id: number; cmd: 'advance'; seconds: number }
  | { id: number; cmd: 'stop-server' }
  | { id: number; cmd: 'run-jobs' }
  | { id: number; cmd: 'sql'; sql: string; params: unknown[] }
  | { id: number; cmd: 'close' };

export type StackMessage =
  | {
      type: 'ready';
      serverUrl: string;
      sandboxUrl: string;
      dbFile: string;
      adminToken: string;
      appId: string;
      /** The sandbox's third-party host app, and the plugin token WeChat signs its requests with. */
      consumerAppId: string;
      pluginToken: string;
    }
  | { type: 'failed'; error: string }
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

function send(message: StackMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.E2E_STACK_OPTIONS ?? '{}') as StackOptions;
  let stack: Stack;
  try {
    stack = await startStack(options);
  } catch (err) {
    send({
      type: 'failed',
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    process.exit(1);
  }
  // Read-only: tests look at what the server stored, they never change it behind its back.
  const db = new Database(stack.dbFile, { readonly: true, fileMustExist: true });
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      db.close();
      await stack.close();
    })());

  process.on('message', (raw: unknown) => {
    const message = raw as StackCommand;
    const run = async (): Promise<unknown> => {
      switch (message.cmd) {
        case 'advance':
          await stack.advance(message.seconds);
          return null;
        case 'stop-server':
          await stack.server.close();
          return null;
        case 'run-jobs':
          await stack.server.jobs.runOnce();
          return null;
        case 'sql':
          return db.prepare(message.sql).all(...message.params);
        case 'close':
          await close();
          return null;
      }
    };
    run().then(
      (result) => {
        send({ type: 'reply', id: message.id, ok: true, result });
        if (message.cmd === 'close') process.disconnect();
      },
      (err: unknown) =>
        send({
          type: 'reply',
          id: message.id,
          ok: false,
          error: err instanceof Error ? err.message : String(err),
        }),
    );
  });
  process.on('disconnect', () => {
    void close().then(() => process.exit(0));
  });
  send({
    type: 'ready',
    serverUrl: stack.serverUrl,
    sandboxUrl: stack.sandboxUrl,
    dbFile: stack.dbFile,
    adminToken: stack.adminToken,
    appId: stack.config.appId,
    consumerAppId: stack.sandbox.consumerApp.appId,
    pluginToken: stack.sandbox.credentials.pluginToken,
  });
}

void main();
