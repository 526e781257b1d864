/**
 * Where a process spent its CPU: self time from a V8 `.cpuprofile` (node --cpu-prof), grouped
 * by what the code is (crypto, HTTP server, fetch client, database, logging, …).
 * `npx tsx bench/cpu-profile.ts <file.cpuprofile>` prints the summary of one profile.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ProcessStack } from '../dev/processes';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Busy time after start-up (shares are of this). */
  totalMs: number;
  /** Module loading and the tsx loader: the process's start, not the load. */
  startupMs: number;
  /** Share of non-idle time per group, largest first. */
  groups: Array<{ group: string; ms: number; share: number }>;
  /** Heaviest functions by self time. */
  functions: Array<{ name: string; ms: number; share: number }>;
}

const ROOT = path.resolve(__dirname, '..');

function groupOf(frame: ProfileNode['callFrame']): string {
  const { functionName: fn, url } = frame;
  if (fn === '(idle)') return 'idle';
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'V8/native (program)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) {
    if (/^(better-sqlite3|kysely|pg|pg-.*)$/.test(pkg))
      return 'database driver (kysely, sqlite/pg)';
    if (/^(pino|pino-.*|sonic-boom|thread-stream)$/.test(pkg)) return 'logging (pino)';
    if (/^(typebox|@fastify\/type-provider-typebox|fast-json-stringify|ajv.*|fast-uri)$/.test(pkg))
      return 'schemas & serialisation';
    if (/^(fastify|@fastify\/.*|find-my-way|light-my-request|avvio|secure-json-parse)$/.test(pkg))
      return 'HTTP server (fastify)';
    if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx loader';
    return `npm: ${pkg}`;
  }
  if (url.includes('node:internal/crypto') || url.includes('node:crypto'))
    return 'crypto (node:crypto)';
  if (
    url.includes('internal/deps/undici') ||
    url.includes('internal/webstreams') ||
    url.includes('internal/abort_controller') ||
    url.includes('internal/event_target') ||
    url.includes('internal/worker/js_transferable')
  )
    return 'fetch machinery (undici, web streams, AbortSignal)';
  if (
    /node:(_http|http|net|internal\/(http|net|stream|streams|dns))/.test(url) ||
    url.includes('node:internal/stream')
  )
    return 'node http/net/streams';
  if (url.includes('internal/modules')) return 'module loading (start-up)';
  if (url.includes('internal/process/task_queues') || url.includes('internal/timers'))
    return 'event loop (microtasks, timers)';
  if (url.startsWith('node:') || url.startsWith('internal/')) return 'node core (other)';
  if (url.startsWith('file://') || url.startsWith('/')) {
    const file = url.replace(/^file:\/\//, '');
    const rel = path.relative(ROOT, file);
    if (rel.startsWith('server/')) return 'our server code';
    if (rel.startsWith('sandbox/')) return 'sandbox code';
    return 'other JS';
  }
  if (url === '') {
    if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(fn))
      return 'socket writes (native)';
    return fn.startsWith('(') ? fn : `native: ${fn || '(anonymous)'}`;
  }
  return 'other';
}

const STARTUP = new Set(['module loading (start-up)', 'tsx loader']);

export function summarise(profile: CpuProfile, top = 12, onlyGroup?: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const groups = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  let startup = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const group = groupOf(node.callFrame);
    if (STARTUP.has(group)) {
      startup += us;
      continue;
    }
    groups.set(group, (groups.get(group) ?? 0) + us);
    if (group === 'idle') continue;
    busy += us;
    if (onlyGroup !== undefined && group !== onlyGroup) continue;
    const f = node.callFrame;
    const where = f.url
      ? `${f.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '')}:${f.lineNumber + 1}`
      : '';
    const name = `${f.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ k, ms: us / 1000 }));
  return {
    totalMs: busy / 1000,
    startupMs: startup / 1000,
    groups: sorted(groups)
      .filter((g) => g.k !== 'idle')
      .map((g) => ({ group: g.k, ms: g.ms, share: g.ms / (busy / 1000) })),
    functions: sorted(functions)
      .slice(0, top)
      .map((f) => ({ name: f.k, ms: f.ms, share: f.ms / (busy / 1000) })),
  };
}

export function readProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

export function formatSummary(s: ProfileSummary): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  return [
    `busy ${s.totalMs.toFixed(0)} ms after start-up (${s.startupMs.toFixed(0)} ms loading modules left out); by group:`,
    ...s.groups.slice(0, 12).map((g) => `  ${pct(g.share).padStart(7)}  ${g.group}`),
    'heaviest functions (self time):',
    ...s.functions.map((f) => `  ${pct(f.share).padStart(7)}  ${f.name}`),
  ];
}

/**
 * Restarts the stack's server under --cpu-prof (same database), runs `load`, stops the server
 * cleanly (the profile is written at exit) and summarises it. BENCH_KEEP_PROFILE=<file> keeps
 * the raw .cpuprofile. The stack's server is left stopped.
 */
export async function profileServer(
  stack: ProcessStack,
  load: () => Promise<void>,
): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wpp-prof-'));
  try {
    await stack.restartServer(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    await load();
    await stack.server.stop();
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return ['no profile written'];
    const keep = process.env.BENCH_KEEP_PROFILE;
    if (keep) copyFileSync(path.join(dir, file), keep);
    return formatSummary(summarise(readProfile(path.join(dir, file)), 20));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === __filename) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/cpu-profile.ts <file.cpuprofile> [group]');
    process.exit(2);
  }
  // Optional second argument: list the heaviest functions of that group only.
  for (const line of formatSummary(summarise(readProfile(file), 25, process.argv[3])))
    console.log(line);
}
