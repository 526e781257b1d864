/**
 * Plain HTTP client on node:http(s). Not fetch: end-to-end tests run under jsdom, whose
 * globals do not include it, and WeChat's own network stack is not fetch either.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Whole-exchange limit, like wx.request's `timeout`. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export class HttpFailure extends Error {
  constructor(
    readonly kind: 'timeout' | 'abort' | 'network',
    message: string,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

/** One connection per request: nothing stays open after a test, as jest requires. */
const agents = {
  http: new http.Agent({ keepAlive: false }),
  https: new https.Agent({ keepAlive: false }),
};

export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      reject(new HttpFailure('network', `invalid url ${req.url}`));
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      reject(new HttpFailure('network', `unsupported protocol ${url.protocol}`));
      return;
    }
    const secure = url.protocol === 'https:';
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const outgoing = (secure ? https : http).request(url, {
      method: req.method,
      headers,
      agent: secure ? agents.https : agents.http,
    });
    const timer = setTimeout(() => {
      finish(() => reject(new HttpFailure('timeout', 'timeout')));
      outgoing.destroy();
    }, req.timeoutMs);
    const onAbort = () => {
      finish(() => reject(new HttpFailure('abort', 'abort')));
      outgoing.destroy();
    };
    req.signal?.addEventListener('abort', onAbort);
    outgoing.on('error', (err: NodeJS.ErrnoException) =>
      finish(() => reject(new HttpFailure('network', err.code ?? err.message))),
    );
    outgoing.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('error', (err: NodeJS.ErrnoException) =>
        finish(() => reject(new HttpFailure('network', err.code ?? err.message))),
      );
      incoming.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        finish(() =>
          resolve({
            statusCode: incoming.statusCode ?? 0,
            headers: flat,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      });
    });
    if (req.body !== undefined) outgoing.write(req.body);
    outgoing.end();
  });
}

/** JSON POST for the sandbox's control API; throws with the body on a non-2xx answer. */
export async function postJson<T>(url: string, body: unknown, timeoutMs = 10_000): Promise<T> {
  const res = await httpRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    timeoutMs,
  });
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new Error(`POST ${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`);
  }
  return JSON.parse(res.body) as T;
}
