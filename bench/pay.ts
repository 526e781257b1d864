/**
 * 2. Pay throughput: POST /api/orders/:orderNo/pay under load against the real server and the
 * real sandbox, each its own process on this machine. Sessions and orders are prepared first
 * through the HTTP API; every request pays a different, never-paid order (so each one places a
 * JSAPI order at the sandbox: request signed, response verified, then paySign), spread over
 * many payers. Peak = as fast as 16 connections go; then the same at half of the peak rate
 * (open loop), then repeat pays (prepay reused: paySign only).
 * Below 80 % of the ceiling (or with `--profile`) the server runs a second peak under --cpu-prof
 * and the summary says where its time goes (bench/cpu-profile.ts).
 */
import type { BenchSession, LoadResult } from './api';
import { createOrders, describeLoad, load, paySetupRequest, sessions } from './api';
import { profileServer } from './cpu-profile';
import { measureCrypto } from './crypto';
import type { ProcessStack } from '../dev/processes';
import { cpuMsOf, memoryOf, startProcessStack } from '../dev/processes';
import type { Bench, BenchOptions, Row } from './report';
import type { CreatedOrder } from '../typings/api';

const MB = 1024 * 1024;

export interface PayRun {
  result: LoadResult;
  serverCpu: number;
  sandboxCpu: number;
}

/** One load run paying `orders[k]` as `payers[k % payers.length]`; CPU as shares of a core. */
export async function payRun(
  stack: ProcessStack,
  orders: readonly CreatedOrder[],
  payers: readonly BenchSession[],
  o: { connections: number; seconds: number; overallRate?: number; max?: number },
): Promise<PayRun> {
  const setupRequest = paySetupRequest(orders, payers);
  const cpu0 = [cpuMsOf(stack.server.pid), cpuMsOf(stack.sandbox.pid)] as const;
  const result = await load({
    url: stack.serverUrl,
    connections: o.connections,
    durationSeconds: o.seconds,
    maxRequests: o.max ?? orders.length,
    overallRate: o.overallRate,
    headers: { 'content-type': 'application/json' },
    body: '{}',
    setupRequest,
  });
  const wall = result.seconds * 1000;
  return {
    result,
    serverCpu: (cpuMsOf(stack.server.pid) - cpu0[0]) / wall,
    sandboxCpu: (cpuMsOf(stack.sandbox.pid) - cpu0[1]) / wall,
  };
}

export const pct = (x: number): string => `${Math.round(x * 100)} %`;

async function profilePeak(
  opts: BenchOptions,
  sizes: { payers: number; orders: number; seconds: number },
): Promise<{ lines: string[]; result: LoadResult }> {
  const stack = await startProcessStack();
  try {
    const payers = await sessions(stack.sandboxUrl, stack.serverUrl, sizes.payers);
    const orders = await createOrders(stack.serverUrl, sizes.orders);
    let result: LoadResult | undefined;
    // Same database, fresh process under the profiler: the profile holds start-up + the peak only.
    const lines = await profileServer(stack, async () => {
      result = (await payRun(stack, orders, payers, { connections: 16, seconds: sizes.seconds }))
        .result;
      opts.log(`profiled peak: ${describeLoad(result)}`);
    });
    for (const line of lines) opts.log(`  ${line}`);
    if (!result) throw new Error('profiled run did not finish');
    return { lines, result };
  } finally {
    await stack.close();
  }
}

export const payBench: Bench = {
  name: 'pay throughput',
  async run(opts) {
    const { smoke, log } = opts;
    const crypto = measureCrypto(smoke ? 40 : 800);
    log(`crypto ceiling this run: ${Math.round(crypto.payCeiling)} pay calls/s (one core)`);
    const sizes = smoke
      ? { payers: 2, orders: 24, seconds: 1, halfSeconds: 1, repeatSeconds: 0.5 }
      : { payers: 40, orders: 4000, seconds: 8, halfSeconds: 6, repeatSeconds: 4 };
    const stack = await startProcessStack();
    let rows: Row[];
    try {
      const idle = memoryOf(stack.server.pid);
      const payers = await sessions(stack.sandboxUrl, stack.serverUrl, sizes.payers);
      const t0 = performance.now();
      const orders = await createOrders(stack.serverUrl, sizes.orders);
      log(
        `prepared ${payers.length} sessions, ${orders.length} orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );

      const peak = await payRun(stack, orders, payers, {
        connections: 16,
        seconds: sizes.seconds,
      });
      log(
        `peak: ${describeLoad(peak.result)}; CPU server ${pct(peak.serverCpu)}, sandbox ${pct(peak.sandboxCpu)}`,
      );
      if (peak.result.ok === 0) throw new Error(`no pay succeeded: ${describeLoad(peak.result)}`);
      const afterPeak = memoryOf(stack.server.pid);

      const rate = Math.max(2, Math.floor(peak.result.okPerSecond / 2));
      const halfOrders = await createOrders(
        stack.serverUrl,
        Math.ceil(rate * sizes.halfSeconds * 1.2) + 16,
      );
      const half = await payRun(stack, halfOrders, payers, {
        connections: 16,
        seconds: sizes.halfSeconds,
        overallRate: rate,
      });
      log(`half of peak (${rate}/s offered): ${describeLoad(half.result)}`);

      // Orders already paid once: the prepay is reused, one signature per answer.
      const paidOnce = orders.slice(0, Math.max(1, peak.result.ok));
      const repeat = await payRun(stack, paidOnce, payers, {
        connections: 16,
        seconds: sizes.repeatSeconds,
        max: 1_000_000,
      });
      log(`repeat pay: ${describeLoad(repeat.result)}; CPU server ${pct(repeat.serverCpu)}`);
      const end = memoryOf(stack.server.pid);

      const cryptoMs = 1000 / crypto.payCeiling;
      const failures = (r: LoadResult) =>
        r.non2xx + r.errors > 0 ? `; ${r.non2xx} non-2xx, ${r.errors} errors` : '';
      rows = [
        {
          benchmark: 'pay',
          metric: 'first pay (JSAPI + paySign), peak',
          value: peak.result.okPerSecond,
          unit: 'orders/s',
          baseline: { label: 'crypto ceiling', value: crypto.payCeiling },
          goal: '≥ 0.80×',
          note: `16 conns; CPU server ${pct(peak.serverCpu)}, sandbox ${pct(peak.sandboxCpu)} of a core${failures(peak.result)}`,
        },
        {
          benchmark: 'pay',
          metric: 'first pay per server CPU-second',
          value: peak.result.ok / (peak.serverCpu * peak.result.seconds || 1),
          unit: 'orders/s',
          baseline: { label: 'crypto ceiling', value: crypto.payCeiling },
          note: `what one whole core would give: ${((peak.serverCpu * 1000) / peak.result.okPerSecond).toFixed(2)} ms server CPU per pay vs ${cryptoMs.toFixed(2)} ms crypto`,
        },
        {
          benchmark: 'pay',
          metric: 'p50 at peak',
          value: peak.result.p50,
          unit: 'ms',
          baseline: { label: 'crypto ms/call', value: cryptoMs },
        },
        {
          benchmark: 'pay',
          metric: 'p99 at peak',
          value: peak.result.p99,
          unit: 'ms',
          baseline: { label: 'crypto ms/call', value: cryptoMs },
        },
        {
          benchmark: 'pay',
          metric: `p50 at half of peak (${rate}/s)`,
          value: half.result.p50,
          unit: 'ms',
          baseline: { label: 'crypto ms/call', value: cryptoMs },
          note: `${Math.round(half.result.okPerSecond)} orders/s served${failures(half.result)}`,
        },
        {
          benchmark: 'pay',
          metric: `p99 at half of peak (${rate}/s)`,
          value: half.result.p99,
          unit: 'ms',
          baseline: { label: 'crypto ms/call', value: cryptoMs },
        },
        {
          benchmark: 'pay',
          metric: 'repeat pay (prepay reused, paySign only)',
          value: repeat.result.okPerSecond,
          unit: 'calls/s',
          baseline: { label: 'RSA sign/s', value: crypto.signPerSec },
          note: `CPU server ${pct(repeat.serverCpu)}${failures(repeat.result)}`,
        },
        {
          benchmark: 'pay',
          metric: 'server RSS after peak',
          value: afterPeak.rss / MB,
          unit: 'MB',
          baseline: { label: 'idle RSS', value: idle.rss / MB },
          note: `high-water ${(end.peak / MB).toFixed(0)} MB`,
        },
      ];
    } finally {
      await stack.close();
    }
    // Below the goal: a second peak under the profiler says where the server's time goes.
    const belowGoal = (rows[0]?.value ?? 0) < 0.8 * crypto.payCeiling;
    if (!smoke && (opts.profile || belowGoal)) {
      const p = await profilePeak(opts, { payers: 20, orders: 2500, seconds: 6 });
      const top = p.lines
        .slice(1, 6)
        .map((l) => l.trim().replace(/\s+/, ' '))
        .join('; ');
      rows.push({
        benchmark: 'pay',
        metric: 'first pay under --cpu-prof (server)',
        value: p.result.okPerSecond,
        unit: 'orders/s',
        baseline: { label: 'peak', value: rows[0]?.value ?? 0 },
        note: `server self time: ${top}`,
      });
    }
    return rows;
  },
};
