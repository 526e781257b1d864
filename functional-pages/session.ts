/**
 * The payer's session with our server: `wx.login` code → `POST /api/session` → bearer token,
 * cached in the owner app's storage until shortly before it expires, so a repeat payment costs
 * one round trip instead of three.
 */
import type { SessionResponse } from '../typings';
import { FunctionalPageError } from './errors';
import { httpError, isSuccess, requestJson } from './http';

export const SESSION_STORAGE_KEY = 'functional-pages:session';
/** Renew this long before the server's expiry, so a token never dies mid-payment. */
const EXPIRY_MARGIN_MS = 60_000;

export interface Session {
  token: string;
  openid: string;
}

interface StoredSession extends Session {
  /** The API the token belongs to: a rebuilt app pointing elsewhere must not reuse it. */
  baseUrl: string;
  /** Epoch ms after which the cached token is not used. */
  expiresAt: number;
}

function isStoredSession(value: unknown): value is StoredSession {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.token === 'string' &&
    s.token !== '' &&
    typeof s.openid === 'string' &&
    typeof s.baseUrl === 'string' &&
    typeof s.expiresAt === 'number'
  );
}

export function readCachedSession(baseUrl: string, now = Date.now()): Session | null {
  try {
    const stored: unknown = wx.getStorageSync(SESSION_STORAGE_KEY);
    if (!isStoredSession(stored) || stored.baseUrl !== baseUrl || now >= stored.expiresAt) {
      return null;
    }
    return { token: stored.token, openid: stored.openid };
  } catch {
    return null;
  }
}

export function forgetSession(): void {
  try {
    wx.removeStorageSync(SESSION_STORAGE_KEY);
  } catch {
    // Storage unavailable: nothing was cached either.
  }
}

function cacheSession(baseUrl: string, session: Session, expiresIn: number): void {
  const expiresAt = Date.now() + expiresIn * 1000 - EXPIRY_MARGIN_MS;
  if (expiresAt <= Date.now()) return;
  const stored: StoredSession = { ...session, baseUrl, expiresAt };
  try {
    wx.setStorageSync(SESSION_STORAGE_KEY, stored);
  } catch {
    // A full or unavailable storage only costs a login next time.
  }
}

function wxLogin(timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      fn();
    };
    const watchdog = setTimeout(
      () =>
        finish(() =>
          reject(
            new FunctionalPageError('LOGIN_FAILED', `wx.login timed out after ${timeoutMs} ms`),
          ),
        ),
      timeoutMs + 1000,
    );
    try {
      wx.login({
        timeout: timeoutMs,
        success: (res) =>
          finish(() =>
            typeof res.code === 'string' && res.code !== ''
              ? resolve(res.code)
              : reject(new FunctionalPageError('LOGIN_FAILED', 'wx.login returned no code')),
          ),
        fail: (err) =>
          finish(() =>
            reject(new FunctionalPageError('LOGIN_FAILED', `wx.login failed: ${err.errMsg}`)),
          ),
      });
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      finish(() => reject(new FunctionalPageError('LOGIN_FAILED', `wx.login failed: ${detail}`)));
    }
  });
}

function parseSession(data: unknown): SessionResponse | null {
  if (typeof data !== 'object' || data === null) return null;
  const s = data as Record<string, unknown>;
  if (typeof s.token !== 'string' || s.token === '') return null;
  if (typeof s.openid !== 'string' || s.openid === '') return null;
  if (typeof s.expiresIn !== 'number' || !(s.expiresIn > 0)) return null;
  return { token: s.token, openid: s.openid, expiresIn: s.expiresIn };
}

/** A fresh session from a new `wx.login` code; cached for the next payment. */
export async function login(baseUrl: string, timeoutMs: number): Promise<Session> {
  const code = await wxLogin(timeoutMs);
  const what = 'POST /api/session';
  const res = await requestJson({
    method: 'POST',
    url: `${baseUrl}/api/session`,
    what,
    body: { code },
    timeoutMs,
  });
  if (!isSuccess(res.statusCode)) {
    const err = httpError(what, res);
    throw new FunctionalPageError('LOGIN_FAILED', `login failed: ${err.message}`, {
      status: res.statusCode,
      ...(err.serverCode !== undefined ? { serverCode: err.serverCode } : {}),
    });
  }
  const parsed = parseSession(res.data);
  if (parsed === null) {
    throw new FunctionalPageError(
      'MALFORMED_RESPONSE',
      `${what} answered without a usable { token, openid, expiresIn }`,
    );
  }
  const session = { token: parsed.token, openid: parsed.openid };
  cacheSession(baseUrl, session, parsed.expiresIn);
  return session;
}
