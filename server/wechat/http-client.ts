/**
 * Outbound HTTP for the WeChat APIs over node:http/node:https with a keep-alive Agent. `fetch`
 * costs more than the RSA signature per call here (web streams behind `arrayBuffer()`, an
 * `AbortSignal` per attempt): this keeps one pooled socket set per base URL, one timer per
 * attempt and the response as the exact bytes received (signatures are checked over them).
 */
import http from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body exactly as received (no decoding: we never ask for compression). */
  body: Buffer;
}

export interface HttpClientOptions {
  /** `http(s)://host[:port][/prefix]`; request paths are appended to it. */
  baseUrl: string;
  /** Whole-attempt deadline: connect, send, and read the full answer. */
  timeoutMs: number;
  /** Sockets open at once to this base (requests beyond it queue in the agent). */
  maxSockets?: number;
  /** Answers larger than this are cut off and fail. */
  maxResponseBytes?: number;
  /** Idle pooled sockets are closed after this, below the usual 5 s server keep-alive. */
  idleSocketMs?: number;
  /**
   * HTTPS only: a client certificate and key for mutual TLS (API v2's `/secapi/…`), and extra
   * CA certificates to trust (system CAs otherwise).
   */
  tls?: { cert?: string; key?: string; ca?: string };
}

/** Transport failure: connection refused/reset, timeout. Retry-safe when parameters are identical. */
export class HttpNetworkError extends Error {}

/** The answer was bigger than allowed: retrying would not shrink it. */
export class ResponseTooLarge extends Error {}

export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly hostname: string;
  private readonly port: number | undefined;
  private readonly prefix: string;
  private readonly maxResponseBytes: number;

  constructor(private readonly o: HttpClientOptions) {
    const url = new URL(o.baseUrl);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') throw new Error(`unsupported base URL ${o.baseUrl}`);
    const agentOptions: http.AgentOptions = {
      keepAlive: true,
      maxSockets: o.maxSockets ?? 64,
      maxFreeSockets: o.maxSockets ?? 64,
      timeout: o.idleSocketMs ?? 4000,
      scheduling: 'lifo',
    };
    if (o.tls && !secure) throw new Error(`TLS options need an https base URL, got ${o.baseUrl}`);
    this.agent = secure
      ? new https.Agent({
          ...agentOptions,
          ...(o.tls?.cert ? { cert: o.tls.cert } : {}),
          ...(o.tls?.key ? { key: o.tls.key } : {}),
          // Added to Node's bundled roots, not instead of them: production keeps trusting WeChat.
          ...(o.tls?.ca ? { ca: [...tls.rootCertificates, o.tls.ca] } : {}),
        })
      : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
    // URL keeps IPv6 literals bracketed; the socket wants them bare.
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port ? Number(url.port) : undefined;
    this.prefix = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
    this.maxResponseBytes = o.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  send(
    method: string,
    pathWithQuery: string,
    headers: OutgoingHttpHeaders,
    body?: string,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err);
      };
      const req = this.request(
        {
          method,
          hostname: this.hostname,
          port: this.port,
          path: this.prefix + pathWithQuery,
          agent: this.agent,
          headers:
            body === undefined
              ? headers
              : { ...headers, 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          const encoding = res.headers['content-encoding'];
          if (encoding !== undefined && encoding !== 'identity') {
            fail(new HttpNetworkError(`unexpected content-encoding ${encoding}`));
            return;
          }
          const declared = Number(res.headers['content-length']);
          if (declared > this.maxResponseBytes) {
            fail(new ResponseTooLarge(`response of ${declared} bytes is over the limit`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxResponseBytes) {
              fail(new ResponseTooLarge(`response over ${this.maxResponseBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size),
            });
          });
          res.on('error', (err) => fail(new HttpNetworkError(err.message)));
          res.on('close', () => {
            if (!res.complete) fail(new HttpNetworkError('connection closed mid-answer'));
          });
        },
      );
      const timer = setTimeout(
        () => fail(new HttpNetworkError(`timed out after ${this.o.timeoutMs} ms`)),
        this.o.timeoutMs,
      );
      req.on('error', (err) => fail(new HttpNetworkError(err.message)));
      req.end(body);
    });
  }

  /** Closes pooled sockets; requests still running fail. */
  close(): void {
    this.agent.destroy();
  }
}

/** First value of a response header (node gives arrays only for set-cookie-like headers). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
