/**
 * 3. Peer side by side: one JSAPI order (signed request, verified response) plus the paySign
 * for it, done by our server's WeChat Pay client module and by wechatpay-axios-plugin, against
 * the same sandbox process with the same merchant credentials, in the same run. Both clients run
 * here, in this process, with the same number of calls in flight, in many short rounds whose
 * order rotates, so the machine's noise falls on all alike. CPU per call is this process's own.
 * A third contender is a diagnosis, not a product: our client's signing, verification and paySign
 * over node:http with a keep-alive agent instead of fetch, to show what the transport costs.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pino from 'pino';
import { Formatter, Rsa, Wechatpay } from 'wechatpay-axios-plugin';
import { systemClock } from '../server/clock';
import { WechatPayClient } from '../server/wechat/pay/client';
import { buildRequestPaymentArgs } from '../server/wechat/pay/pay-sign';
import type { JsapiOrderRequest } from '../server/wechat/pay/types';
import { signRequest } from '../server/wechat/pay/sign';
import { loadPlatformKeys, signatureHeaders, verifySignature } from '../server/wechat/pay/verify';
import { loginCode } from './api';
import { cpuMsOf, startProcessStack } from '../dev/processes';
import type { Bench } from './report';

interface Merchant {
  appId: string;
  mchId: string;
  serial: string;
  privateKeyPem: string;
  platformKeys: Record<string, string>;
}

function readMerchant(credentialsDir: string): Merchant {
  const dir = path.join(credentialsDir, 'merchant');
  const c = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as {
    appId: string;
    mchId: string;
    merchantSerialNo: string;
    platformCertSerialNo: string;
    platformPublicKeyId: string;
  };
  return {
    appId: c.appId,
    mchId: c.mchId,
    serial: c.merchantSerialNo,
    privateKeyPem: readFileSync(path.join(dir, 'apiclient_key.pem'), 'utf8'),
    platformKeys: {
      [c.platformCertSerialNo]: readFileSync(path.join(dir, 'platform_cert_public.pem'), 'utf8'),
      [c.platformPublicKeyId]: readFileSync(path.join(dir, 'pub_key.pem'), 'utf8'),
    },
  };
}

type PayCall = (body: JsapiOrderRequest) => Promise<string>;

let sequence = 0;
function jsapiBody(m: Merchant, openid: string): JsapiOrderRequest {
  return {
    appid: m.appId,
    mchid: m.mchId,
    description: 'Bench mug',
    out_trade_no: `PEER${Date.now().toString(36)}${(sequence++).toString(36)}`.toUpperCase(),
    notify_url: 'http://127.0.0.1:9/api/pay/notify',
    amount: { total: 2500, currency: 'CNY' },
    payer: { openid },
  };
}

/** Closed loop: `width` calls in flight for `ms`; calls/s and CPU ms per call of this process. */
async function drive(call: PayCall, make: () => JsapiOrderRequest, width: number, ms: number) {
  const until = performance.now() + ms;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (performance.now() < until) {
        const paySign = await call(make());
        if (!paySign) throw new Error('no paySign');
        done++;
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { calls: done, wall, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export const peerBench: Bench = {
  name: 'peer side by side',
  async run({ smoke, log }) {
    const stack = await startProcessStack();
    const agent = new http.Agent({ keepAlive: true });
    try {
      const m = readMerchant(stack.credentialsDir);
      const { openid } = await loginCode(stack.sandboxUrl, 'bench-peer');

      const key = WechatPayClient.privateKey(m.privateKeyPem);
      const client = new WechatPayClient({
        baseUrl: stack.sandboxUrl,
        mchId: m.mchId,
        merchantSerialNo: m.serial,
        merchantPrivateKey: key,
        platformKeys: loadPlatformKeys(m.platformKeys),
        wallClock: systemClock,
        logger: pino({ level: 'silent' }),
        timeoutMs: 10_000,
        retries: 0,
      });
      const ours: PayCall = async (body) => {
        const { prepay_id } = await client.createJsapi(body);
        return buildRequestPaymentArgs({
          appId: m.appId,
          prepayId: prepay_id,
          privateKey: key,
          timestamp: Date.now() / 1000,
        }).paySign;
      };

      const peerKey = Rsa.from(m.privateKeyPem, Rsa.KEY_TYPE_PRIVATE);
      const wxpay = new Wechatpay({
        mchid: m.mchId,
        serial: m.serial,
        privateKey: m.privateKeyPem,
        certs: m.platformKeys,
        baseURL: `${stack.sandboxUrl}/`,
      } as ConstructorParameters<typeof Wechatpay>[0]);
      const jsapi = wxpay.v3?.pay?.transactions?.jsapi;
      if (!jsapi) throw new Error('wechatpay-axios-plugin has no v3.pay.transactions.jsapi');
      const peer: PayCall = async (body) => {
        const res = (await jsapi.post(body)) as {
          data: { prepay_id: string };
        };
        const timeStamp = String(Formatter.timestamp());
        const nonceStr = Formatter.nonce();
        return Rsa.sign(
          Formatter.joinedByLineFeed(
            m.appId,
            timeStamp,
            nonceStr,
            `prepay_id=${res.data.prepay_id}`,
          ),
          peerKey,
        );
      };

      // Diagnosis: the same signing, verification and paySign as ours, over node:http.
      const platformKeys = loadPlatformKeys(m.platformKeys);
      const jsapiUrl = new URL('/v3/pay/transactions/jsapi', stack.sandboxUrl);
      const overHttp: PayCall = (body) =>
        new Promise<string>((resolve, reject) => {
          const payload = JSON.stringify(body);
          const authorization = signRequest({
            method: 'POST',
            pathWithQuery: jsapiUrl.pathname,
            body: payload,
            mchId: m.mchId,
            serialNo: m.serial,
            privateKey: key,
            timestamp: Date.now() / 1000,
          });
          const req = http.request(
            jsapiUrl,
            {
              method: 'POST',
              agent,
              timeout: 10_000,
              headers: {
                Authorization: authorization,
                Accept: 'application/json',
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(payload),
              },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => {
                try {
                  const raw = Buffer.concat(chunks);
                  if (res.statusCode !== 200) throw new Error(`jsapi: ${res.statusCode}`);
                  verifySignature({
                    headers: signatureHeaders((n) => {
                      const v = res.headers[n];
                      return Array.isArray(v) ? v[0] : v;
                    }),
                    body: raw,
                    keys: platformKeys,
                    now: Math.floor(Date.now() / 1000),
                  });
                  const { prepay_id } = JSON.parse(raw.toString('utf8')) as { prepay_id: string };
                  resolve(
                    buildRequestPaymentArgs({
                      appId: m.appId,
                      prepayId: prepay_id,
                      privateKey: key,
                      timestamp: Date.now() / 1000,
                    }).paySign,
                  );
                } catch (err) {
                  reject(err instanceof Error ? err : new Error(String(err)));
                }
              });
            },
          );
          req.on('timeout', () => req.destroy(new Error('timeout')));
          req.on('error', reject);
          req.end(payload);
        });

      const make = () => jsapiBody(m, openid);
      const width = 8;
      // Many short rounds, the order rotated each round: the neighbours' bursts on this shared
      // machine then fall on every contender alike (3 s rounds swung ±40 % between runs).
      const roundMs = smoke ? 200 : 1000;
      const rounds = smoke ? 1 : 7;
      // Warm all three (JIT, connection pools) before timing.
      await drive(ours, make, width, smoke ? 50 : 800);
      await drive(peer, make, width, smoke ? 50 : 800);
      await drive(overHttp, make, width, smoke ? 50 : 800);
      const zero = () => ({ calls: 0, wall: 0, cpuMs: 0, sandboxCpuMs: 0 });
      const total = { ours: zero(), peer: zero(), http: zero() };
      const contenders = [
        ['ours', ours],
        ['peer', peer],
        ['http', overHttp],
      ] as const;
      const perRound: string[] = [];
      let oursAhead = 0;
      for (let round = 0; round < rounds; round++) {
        const line: string[] = [];
        const rates: Record<string, number> = {};
        for (let k = 0; k < contenders.length; k++) {
          const [name, call] = contenders[
            (round + k) % contenders.length
          ] as (typeof contenders)[number];
          const sandbox0 = cpuMsOf(stack.sandbox.pid);
          const r = await drive(call, make, width, roundMs);
          total[name].sandboxCpuMs += cpuMsOf(stack.sandbox.pid) - sandbox0;
          total[name].calls += r.calls;
          total[name].wall += r.wall;
          total[name].cpuMs += r.cpuMs;
          rates[name] = (r.calls * 1000) / r.wall;
          line.push(`${name} ${Math.round(rates[name])}`);
        }
        if ((rates.ours ?? 0) > (rates.peer ?? 0)) oursAhead++;
        perRound.push(line.join(', '));
      }
      log(`calls/s per round: ${perRound.join(' | ')}`);
      const rate = (t: { calls: number; wall: number }) => (t.calls * 1000) / t.wall;
      const cpuPer = (t: { calls: number; cpuMs: number }) => t.cpuMs / t.calls;
      return [
        {
          benchmark: 'peer',
          metric: 'JSAPI create + paySign, our client',
          value: rate(total.ours),
          unit: 'calls/s',
          baseline: { label: 'wechatpay-axios-plugin', value: rate(total.peer) },
          goal: '≥ 1.20×',
          note: `${width} in flight, same sandbox process; ours ahead in ${oursAhead} of ${rounds} rotated rounds of ${roundMs / 1000} s`,
        },
        {
          benchmark: 'peer',
          metric: 'client CPU per call, ours',
          value: cpuPer(total.ours),
          unit: 'ms',
          baseline: { label: 'wechatpay-axios-plugin', value: cpuPer(total.peer) },
          note: 'this process only',
        },
        {
          benchmark: 'peer',
          metric: 'sandbox CPU per call, ours',
          value: total.ours.sandboxCpuMs / total.ours.calls || 0.001,
          unit: 'ms',
          baseline: {
            label: 'wechatpay-axios-plugin',
            value: total.peer.sandboxCpuMs / total.peer.calls,
          },
          note: 'the other end of the same calls (10 ms tick resolution)',
        },
        {
          benchmark: 'peer',
          metric: 'diagnosis: our signing over node:http',
          value: rate(total.http),
          unit: 'calls/s',
          baseline: { label: 'wechatpay-axios-plugin', value: rate(total.peer) },
          note: `keep-alive agent instead of fetch; client CPU ${cpuPer(total.http).toFixed(2)} ms, sandbox CPU ${(total.http.sandboxCpuMs / total.http.calls).toFixed(2)} ms per call`,
        },
      ];
    } finally {
      agent.destroy();
      await stack.close();
    }
  },
};
