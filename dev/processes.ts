/**
 * Child processes for the benchmarks: the sandbox and the merchant server each run as their own
 * `node --import tsx …/main.ts` process (one process, so its pid is the one measured: the `tsx`
 * CLI would put a wrapper process in between), on free loopback ports, with a temp SQLite file
 * and a temp credentials dir. Everything started here is stopped by `close()`, and killed at exit
 * if the bench dies first.
 */
import { ROOT } from './dist';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export { ROOT };

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort when the bench crashes: no child may outlive it.
  process.on('exit', () => {
    for (const child of live) if (child.exitCode === null) child.kill('SIGKILL');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  /** The last `keepOutput` characters of stdout + stderr (default a few KB, for error messages). */
  output(): string;
  /** SIGTERM (graceful), SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash: no shutdown code runs); resolves once the process is gone. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Extra node flags before `--import tsx` (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Characters of output `output()` keeps (default 4000). */
  keepOutput?: number;
}

/** Runs a TypeScript entry point of this repo in a single node process. */
export function spawnTs(entry: string, options: SpawnOptions = {}): NodeProcess {
  installExitHook();
  const child = spawn(
    process.execPath,
    // Compiled entries (build/…/*.js) run on plain node: the production command.
    [
      ...(options.nodeFlags ?? []),
      ...(entry.endsWith('.js') ? [] : ['--import', 'tsx']),
      path.join(ROOT, entry),
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  const limit = options.keepOutput ?? 4000;
  // Chunks, trimmed from the front past the limit: a large limit costs no copy per chunk.
  const chunks: string[] = [];
  let kept = 0;
  const keep = (b: Buffer): void => {
    const text = b.toString('utf8');
    chunks.push(text);
    kept += text.length;
    while (chunks.length > 1 && kept - (chunks[0]?.length ?? 0) >= limit) {
      kept -= chunks.shift()?.length ?? 0;
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid: child.pid ?? 0,
    output: () => chunks.join('').slice(-limit),
    async stop(graceMs = 5000) {
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `url` until it answers 200; returns ms since `since` (a performance.now() value). */
export async function waitFor200(
  url: string,
  proc: NodeProcess,
  since: number,
  timeoutMs = 30_000,
  intervalMs = 5,
): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (proc.child.exitCode !== null) {
      throw new Error(`process exited (${proc.child.exitCode}) before ${url}: ${proc.output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} not up: ${proc.output()}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Resident set size and its peak (VmHWM) of a process, bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string): number => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Number(m[1]) * 1024 : 0;
    };
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** CPU time (user + system) a process has used so far, ms (Linux /proc). */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12] = utime, stime in clock ticks (100 Hz on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** A server process of a stack that keeps its port across restarts. */
export interface ServerInstance {
  url: string;
  /** The current process (a new one after each restart). */
  process: NodeProcess;
  /**
   * Stops the process (nothing to stop when it is dead already, e.g. after `kill()`) and starts a
   * new one on the same port, database and credentials; resolves once it answers /healthz.
   */
  restart(nodeFlags?: string[]): Promise<NodeProcess>;
}

export interface AddServerOptions {
  /** Default the stack's database: another instance sharing it. */
  databaseUrl?: string;
  /** On top of the stack's server environment. */
  env?: Record<string, string>;
}

export interface ProcessStack {
  dir: string;
  credentialsDir: string;
  dbFile: string;
  /** The server's DATABASE_URL (`dbFile` unless options.databaseUrl). */
  databaseUrl: string;
  sandboxUrl: string;
  /** The sandbox's mutual-TLS listener (API v2's `/secapi/…`), on a free port of its own. */
  sandboxTlsUrl: string;
  serverUrl: string;
  sandbox: NodeProcess;
  server: NodeProcess;
  /**
   * Stops the server and starts a new one on the same port, database and credentials (after a
   * SIGKILL there is nothing to stop: it just starts the new one).
   */
  restartServer(nodeFlags?: string[]): Promise<NodeProcess>;
  /**
   * Another server process on this stack's sandbox and credentials, on a free port of its own,
   * with the stack's server environment (plus `env`); close() stops it too.
   */
  addServer(options?: AddServerOptions): Promise<ServerInstance>;
  close(): Promise<void>;
}

export interface ProcessStackOptions {
  /** DATABASE_URL for the server; default a SQLite file in the temp dir. */
  databaseUrl?: string;
  serverEnv?: Record<string, string>;
  serverNodeFlags?: string[];
  /** On top of the sandbox's environment (e.g. SANDBOX_TIME_SCALE, SANDBOX_LOG). */
  sandboxEnv?: Record<string, string>;
  /** Output kept per process for `output()` (SpawnOptions.keepOutput). */
  keepOutput?: number;
}

/** Benchmarks measure the server, not its jobs or its limits: those are lifted here. */
export const BENCH_SERVER_ENV: Record<string, string> = {
  LOG_LEVEL: 'warn',
  JOBS_ENABLED: 'false',
  SESSION_RATE_LIMIT: '1000000',
  ORDER_RATE_LIMIT: '1000000',
  ORDER_QUERY_INTERVAL_MS: '0',
};

/** Sandbox then server, each its own process; closes whatever started if a step fails. */
export async function startProcessStack(options: ProcessStackOptions = {}): Promise<ProcessStack> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wpp-bench-'));
  const credentialsDir = path.join(dir, 'credentials');
  const dbFile = path.join(dir, 'server.sqlite');
  const started: NodeProcess[] = [];
  const close = async (): Promise<void> => {
    for (const p of started.reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const sandboxPort = await freePort();
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    // Its default (3101) would make two stacks at once, or one beside `npm start`, collide.
    const sandboxTlsPort = await freePort();
    const sandboxTlsUrl = `https://127.0.0.1:${sandboxTlsPort}`;
    const sandbox = spawnTs('sandbox/main.ts', {
      env: {
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_TLS_PORT: String(sandboxTlsPort),
        SANDBOX_HOST: '127.0.0.1',
        SANDBOX_CREDENTIALS_DIR: credentialsDir,
        SANDBOX_TIME_SCALE: '1',
        ...options.sandboxEnv,
      },
      keepOutput: options.keepOutput,
    });
    started.push(sandbox);
    // The sandbox answers /healthz once it listens.
    await waitFor200(`${sandboxUrl}/healthz`, sandbox, performance.now());
    const databaseUrl = options.databaseUrl ?? dbFile;
    const startServer = async (
      port: number,
      env: Record<string, string>,
      nodeFlags?: string[],
    ): Promise<NodeProcess> => {
      const server = spawnTs('server/main.ts', {
        nodeFlags,
        env: {
          ...BENCH_SERVER_ENV,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATABASE_URL: databaseUrl,
          SANDBOX_URL: sandboxUrl,
          SANDBOX_TLS_URL: sandboxTlsUrl,
          DEV_CREDENTIALS_DIR: credentialsDir,
          ...options.serverEnv,
          ...env,
        },
        keepOutput: options.keepOutput,
      });
      started.push(server);
      await waitFor200(`http://127.0.0.1:${port}/healthz`, server, performance.now());
      return server;
    };
    const serverPort = await freePort();
    const stack: ProcessStack = {
      dir,
      credentialsDir,
      dbFile,
      databaseUrl,
      sandboxUrl,
      sandboxTlsUrl,
      serverUrl: `http://127.0.0.1:${serverPort}`,
      sandbox,
      server: await startServer(serverPort, {}, options.serverNodeFlags),
      async restartServer(nodeFlags) {
        await stack.server.stop();
        stack.server = await startServer(serverPort, {}, nodeFlags);
        return stack.server;
      },
      async addServer(extra = {}) {
        const port = await freePort();
        const env = {
          ...extra.env,
          ...(extra.databaseUrl === undefined ? {} : { DATABASE_URL: extra.databaseUrl }),
        };
        const instance: ServerInstance = {
          url: `http://127.0.0.1:${port}`,
          process: await startServer(port, env),
          async restart(nodeFlags) {
            await instance.process.stop();
            instance.process = await startServer(port, env, nodeFlags);
            return instance.process;
          },
        };
        return instance;
      },
      close,
    };
    return stack;
  } catch (err) {
    await close();
    throw err;
  }
}
