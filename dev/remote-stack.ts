/**
 * The parent side of stack-process.ts: a whole local stack (sandbox + server on SQLite) on free
 * ports in a child process, with the controls the end-to-end tests need.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { StackOptions } from './stack';
import { httpRequest } from './emulator/http';
import type { StackCommand, StackMessage } from './stack-process';

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;
type Command = Distribute<StackCommand>;

export interface RemoteStack {
  serverUrl: string;
  sandboxUrl: string;
  dbFile: string;
  adminToken: string;
  appId: string;
  /** A third-party host mini program the sandbox knows (not the plugin's owner). */
  consumerAppId: string;
  /** The plugin's token, which WeChat (here: the emulator) signs plugin requests with. */
  pluginToken: string;
  /** Moves the server's and the sandbox's clocks forward together. */
  advance(seconds: number): Promise<void>;
  /** Stops the merchant server (the sandbox stays up). */
  stopServer(): Promise<void>;
  /** Runs the server's query and close jobs once, now. */
  runJobs(): Promise<void>;
  /** Read-only SQL on the server's database. */
  sql<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** JSON from the sandbox's control API. */
  sandboxGet<T>(pathname: string): Promise<T>;
  sandboxSend(method: 'PUT' | 'POST' | 'DELETE', pathname: string, body?: unknown): Promise<void>;
  close(): Promise<void>;
}

const CHILD = path.join(__dirname, 'stack-process.ts');

export function startRemoteStack(options: StackOptions = {}): Promise<RemoteStack> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--require', createRequire(__filename).resolve('tsx/cjs'), CHILD],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, E2E_STACK_OPTIONS: JSON.stringify(options) },
    },
  );
  let nextId = 1;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const call = (command: Command): Promise<unknown> => {
    if (exited) return Promise.reject(new Error('the stack process has exited'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      child.send({ ...command, id });
    });
  };

  return new Promise<RemoteStack>((resolve, reject) => {
    child.once('exit', (code) => {
      exited = true;
      for (const w of waiting.values()) w.reject(new Error(`stack process exited (${code})`));
      waiting.clear();
      reject(new Error(`stack process exited before it was ready (${code})`));
    });
    child.on('message', (raw: unknown) => {
      const message = raw as StackMessage;
      if (message.type === 'failed') {
        reject(new Error(`stack failed to start: ${message.error}`));
      } else if (message.type === 'reply') {
        const w = waiting.get(message.id);
        waiting.delete(message.id);
        if (message.ok) w?.resolve(message.result);
        else w?.reject(new Error(message.error));
      } else {
        const sandboxUrl = message.sandboxUrl;
        const sandboxCall = async (method: string, pathname: string, body?: unknown) => {
          const res = await httpRequest({
            method,
            url: `${sandboxUrl}${pathname}`,
            headers: { 'content-type': 'application/json' },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
            timeoutMs: 10_000,
          });
          if (res.statusCode >= 300) {
            throw new Error(`${method} ${pathname}: HTTP ${res.statusCode} ${res.body}`);
          }
          return res.body;
        };
        resolve({
          serverUrl: message.serverUrl,
          sandboxUrl,
          dbFile: message.dbFile,
          adminToken: message.adminToken,
          appId: message.appId,
          consumerAppId: message.consumerAppId,
          pluginToken: message.pluginToken,
          advance: async (seconds) => {
            await call({ cmd: 'advance', seconds });
          },
          stopServer: async () => {
            await call({ cmd: 'stop-server' });
          },
          runJobs: async () => {
            await call({ cmd: 'run-jobs' });
          },
          sql: async <T>(sql: string, ...params: unknown[]) =>
            (await call({ cmd: 'sql', sql, params })) as T[],
          sandboxGet: async <T>(pathname: string) =>
            JSON.parse(await sandboxCall('GET', pathname)) as T,
          sandboxSend: async (method, pathname, body) => {
            await sandboxCall(method, pathname, body);
          },
          close: async () => {
            if (!exited) {
              await call({ cmd: 'close' }).catch(() => undefined);
            }
            await exit;
          },
        });
      }
    });
  });
}
