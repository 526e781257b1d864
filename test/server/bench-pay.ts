/**
 * Quick /pay throughput probe (bench/ does it properly): a fresh stack (sandbox +
 * server on SQLite, same machine), one session, ORDERS orders, autocannon with 20 connections.
 * Run: npx tsx test/server/bench-pay.ts
 */
import autocannon from 'autocannon';
import { startStack } from '../helpers/stack';
import { createOrder, session } from './http';

const ORDERS = Number(process.env.ORDERS ?? 3000);

function run(
  url: string,
  token: string,
  orders: string[],
  amount: number,
): Promise<autocannon.Result> {
  let i = 0;
  return autocannon({
    url,
    connections: 20,
    amount,
    requests: [
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        setupRequest: (req) => ({ ...req, path: `/api/orders/${orders[i++ % orders.length]}/pay` }),
      },
    ],
  });
}

async function main(): Promise<void> {
  const stack = await startStack({ serverConfig: { jobsEnabled: false } });
  try {
    const s = await session(stack, 'bench');
    const orders: string[] = [];
    for (let i = 0; i < ORDERS; i++) orders.push((await createOrder(stack)).orderNo);
    const report = (title: string, r: autocannon.Result): void =>
      console.log(
        `${title}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ` +
          `non-2xx ${r.non2xx}, errors ${r.errors}, requests ${r.requests.total}`,
      );
    report(
      'first pay (JSAPI order placed in the sandbox, verified, paySign)',
      await run(stack.serverUrl, s.token, orders, ORDERS),
    );
    report(
      'repeat pay (prepay reused, paySign only)',
      await run(stack.serverUrl, s.token, orders, ORDERS * 3),
    );
  } finally {
    await stack.close();
  }
}

void main();
