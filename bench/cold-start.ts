/**
 * 8. Cold start: from spawning the process to its first 200 (server: GET /healthz, which also
 * touches the database; sandbox: GET /healthz), as
 * `node --import tsx <entry>` (one process, development) and as `node build/server/main.js` (the
 * compiled production entry from `npm run build`). Baselines in the same run: `node -e 0` (spawn to
 * exit) and `node --import tsx -e 0` (the TypeScript loader alone). One unmeasured warm-up start
 * each (it writes the keys and runs the migrations, and fills the OS file cache), then the median
 * of the measured starts: a restart of an existing deployment.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BENCH_SERVER_ENV, ROOT, freePort, spawnTs, waitFor200 } from '../dev/processes';
import type { Bench, Row } from './report';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function timeToExit(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - t0)
        : reject(new Error(`node ${args.join(' ')}: ${code}`)),
    );
  });
}

async function timeToFirst200(
  entry: string,
  env: Record<string, string>,
  url: string,
): Promise<number> {
  const t0 = performance.now();
  const proc = spawnTs(entry, { env });
  try {
    return await waitFor200(url, proc, t0, 30_000, 2);
  } finally {
    await proc.stop();
  }
}

export const coldStartBench: Bench = {
  name: 'cold start',
  async run({ smoke, log }) {
    const runs = smoke ? 1 : 5;
    const dir = mkdtempSync(path.join(tmpdir(), 'wpp-cold-'));
    try {
      const credentialsDir = path.join(dir, 'credentials');
      const sandboxStart = async (): Promise<number> => {
        const port = await freePort();
        return timeToFirst200(
          'sandbox/main.ts',
          {
            SANDBOX_PORT: String(port),
            // Not its default 3101: another sandbox (a test's, `npm start`) may hold that.
            SANDBOX_TLS_PORT: String(await freePort()),
            SANDBOX_HOST: '127.0.0.1',
            SANDBOX_CREDENTIALS_DIR: credentialsDir,
          },
          `http://127.0.0.1:${port}/healthz`,
        );
      };
      // `npm run build` emits build/; a lone run of this bench compiles it once.
      if (!existsSync(path.join(ROOT, 'build/server/main.js'))) {
        execFileSync(
          process.execPath,
          [createRequire(__filename).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
          { cwd: ROOT },
        );
      }
      const serverStart = async (entry = 'server/main.ts'): Promise<number> => {
        const port = await freePort();
        return timeToFirst200(
          entry,
          {
            ...BENCH_SERVER_ENV,
            PORT: String(port),
            HOST: '127.0.0.1',
            DATABASE_URL: path.join(dir, 'server.sqlite'),
            SANDBOX_URL: 'http://127.0.0.1:9',
            DEV_CREDENTIALS_DIR: credentialsDir,
          },
          `http://127.0.0.1:${port}/healthz`,
        );
      };
      const firstSandbox = await sandboxStart(); // generates the keys
      const firstServer = await serverStart(); // creates the database
      log(
        `first starts (keys generated / database migrated): sandbox ${firstSandbox.toFixed(0)} ms, server ${firstServer.toFixed(0)} ms`,
      );
      await timeToExit(['-e', '0']);
      const samples = {
        node: [] as number[],
        tsx: [] as number[],
        imports: [] as number[],
        server: [] as number[],
        compiled: [] as number[],
        sandbox: [] as number[],
      };
      // Loading the server's modules only (no listen, no database): where start-up goes.
      const importServer = ['--import', 'tsx', '-e', "require('./server/index.ts')"];
      // Interleaved, so a burst of load elsewhere on the machine hits every series alike.
      if (smoke) {
        // Smoke: the first starts stand in for the series (proves the script, not the figure).
        samples.server.push(firstServer);
        samples.compiled.push(await serverStart('build/server/main.js'));
        samples.sandbox.push(firstSandbox);
        samples.node.push(await timeToExit(['-e', '0']));
        samples.tsx.push(await timeToExit(['--import', 'tsx', '-e', '0']));
        samples.imports.push(await timeToExit(importServer));
      }
      for (let i = 0; i < (smoke ? 0 : runs); i++) {
        samples.node.push(await timeToExit(['-e', '0']));
        samples.tsx.push(await timeToExit(['--import', 'tsx', '-e', '0']));
        samples.imports.push(await timeToExit(importServer));
        samples.server.push(await serverStart());
        samples.compiled.push(await serverStart('build/server/main.js'));
        samples.sandbox.push(await sandboxStart());
      }
      const m = {
        node: median(samples.node),
        tsx: median(samples.tsx),
        imports: median(samples.imports),
        server: median(samples.server),
        compiled: median(samples.compiled),
        sandbox: median(samples.sandbox),
      };
      log(
        `medians of ${runs}: node -e ${m.node.toFixed(0)} ms, tsx -e ${m.tsx.toFixed(0)} ms, import server ${m.imports.toFixed(0)} ms, server ${m.server.toFixed(0)} ms, compiled server ${m.compiled.toFixed(0)} ms, sandbox ${m.sandbox.toFixed(0)} ms`,
      );
      const rows: Row[] = [
        {
          benchmark: 'cold start',
          metric: 'compiled server (node build/server/main.js): spawn → first 200 /healthz',
          value: m.compiled,
          unit: 'ms',
          baseline: { label: 'node -e 0', value: m.node },
          note: `median of ${runs}; the production command; through tsx ${m.server.toFixed(0)} ms`,
        },
        {
          benchmark: 'cold start',
          metric: 'server: spawn → first 200 /healthz',
          value: m.server,
          unit: 'ms',
          baseline: { label: 'node -e 0', value: m.node },
          note: `median of ${runs}; tsx loader alone ${m.tsx.toFixed(0)} ms; first start (migrations) ${firstServer.toFixed(0)} ms`,
        },
        {
          benchmark: 'cold start',
          metric: 'sandbox: spawn → first 200',
          value: m.sandbox,
          unit: 'ms',
          baseline: { label: 'node -e 0', value: m.node },
          note: `median of ${runs}; keys reused; first start (3 RSA keys) ${firstSandbox.toFixed(0)} ms`,
        },
        {
          benchmark: 'cold start',
          metric: "server modules only: require('./server')",
          value: m.imports,
          unit: 'ms',
          baseline: { label: 'node -e 0', value: m.node },
          note: 'spawn → exit, through tsx; no listen, no database',
        },
        {
          benchmark: 'cold start',
          metric: 'tsx loader: node --import tsx -e 0',
          value: m.tsx,
          unit: 'ms',
          baseline: { label: 'node -e 0', value: m.node },
        },
      ];
      return rows;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
