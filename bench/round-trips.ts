/**
 * 6. Round trips from the tap to `requestPaymentArgs`, counted by the WeChat emulator: WeChat
 * calls the owner's BUILT functional page (`beforeRequestPayment`) on a tap, and every network
 * call it makes (wx.login, wx.request) goes through the emulated `wx`. First payment (no session
 * yet) and a repeat payment on the same phone (session cached). Baseline: the official sample's
 * flow, which logs in, asks its server for the openid, then asks for the order + payment
 * parameters on every payment (3 round trips). The host app's order creation (POST /api/orders)
 * happens before the tap in ours and is not counted; the sample folds it into its order request.
 */
import type { CreatedOrder } from '../typings/api';
import { createFunctionalPageRunner, createWx } from '../dev/emulator';
import type { EmulatedWx } from '../dev/emulator';
import { startStack } from '../dev/stack';
import { BENCH_ITEMS } from './api';
import type { Bench, Row } from './report';

const OFFICIAL_SAMPLE_ROUND_TRIPS = 3;

function counted(wx: EmulatedWx): number {
  const t = wx.emulator.roundTrips;
  return t.login + t.session + t.pay + t.identity + t.other;
}

export const roundTripsBench: Bench = {
  name: 'round trips',
  async run({ smoke, log }) {
    const stack = await startStack({ serverConfig: { jobsEnabled: false } });
    try {
      const newOrder = async (): Promise<{ orderNo: string; orderToken: string }> => {
        const res = await fetch(`${stack.serverUrl}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ items: BENCH_ITEMS }),
        });
        if (res.status !== 201) throw new Error(`create order: ${res.status}`);
        const { orderNo, orderToken } = (await res.json()) as CreatedOrder;
        return { orderNo, orderToken };
      };
      const users = smoke ? 1 : 5;
      const first = { trips: 0, ms: 0 };
      const repeat = { trips: 0, ms: 0 };
      const byUrl: Record<string, number> = {};
      for (let u = 0; u < users; u++) {
        const wx = createWx({ sandboxUrl: stack.sandboxUrl, user: `bench-tap-${u}` });
        const runner = createFunctionalPageRunner({ wx, config: { apiBaseUrl: stack.serverUrl } });
        for (const [k, into] of [
          [0, first],
          [1, repeat],
        ] as const) {
          const paymentArgs = await newOrder();
          wx.emulator.resetRoundTrips();
          const t0 = performance.now();
          const r = await runner.beforeRequestPayment(paymentArgs);
          // The runner waits 20 ms after the callback to catch a second one: not part of the tap.
          into.ms += performance.now() - t0 - 20;
          if (r.err || !r.args) throw new Error(`payment ${k + 1} failed: ${String(r.err)}`);
          into.trips += counted(wx);
          if (u === 0)
            for (const [url, n] of Object.entries(wx.emulator.roundTripsByUrl))
              byUrl[`${k === 0 ? 'first' : 'repeat'} ${url.replace(/WP\w+/, ':orderNo')}`] = n;
        }
      }
      log(`per URL (one user): ${JSON.stringify(byUrl)}`);
      const rows: Row[] = [
        {
          benchmark: 'round trips',
          metric: 'tap → requestPaymentArgs, first payment',
          value: first.trips / users,
          unit: 'trips',
          baseline: { label: 'official sample', value: OFFICIAL_SAMPLE_ROUND_TRIPS },
          note: `wx.login, POST pay-with-login; ${(first.ms / users).toFixed(0)} ms on loopback`,
        },
        {
          benchmark: 'round trips',
          metric: 'tap → requestPaymentArgs, repeat payment',
          value: repeat.trips / users,
          unit: 'trips',
          baseline: { label: 'official sample', value: OFFICIAL_SAMPLE_ROUND_TRIPS },
          note: `session cached: POST pay only; ${(repeat.ms / users).toFixed(0)} ms on loopback`,
        },
      ];
      return rows;
    } finally {
      await stack.close();
    }
  },
};
