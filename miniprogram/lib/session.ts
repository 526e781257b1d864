/**
 * The shop's own sign-in. The shop is also the plugin's owner app, so `wx.login` here yields the
 * same openid the functional page gets; the token lets the shop read its orders. Kept apart from
 * functional-pages/ on purpose: that folder must stay self-contained.
 */
import type { SessionResponse } from '../../typings';
import { REQUEST_TIMEOUT_MS } from '../build-config';
import { HttpError, errorFromResponse, send } from './http';

const STORAGE_KEY = 'shop:session';
/** Renew a little early so a token never expires between the check and the request. */
const RENEW_MARGIN_MS = 60_000;

interface StoredSession {
  token: string;
  openid: string;
  expiresAtMs: number;
}

function isStoredSession(value: unknown): value is StoredSession {
  const v = value as StoredSession | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.token === 'string' &&
    typeof v.openid === 'string' &&
    typeof v.expiresAtMs === 'number'
  );
}

function isSessionResponse(value: unknown): value is SessionResponse {
  const v = value as SessionResponse | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.token === 'string' &&
    v.token.length > 0 &&
    typeof v.openid === 'string' &&
    typeof v.expiresIn === 'number' &&
    v.expiresIn > 0
  );
}

function readStored(): StoredSession | undefined {
  try {
    const value: unknown = wx.getStorageSync(STORAGE_KEY);
    return isStoredSession(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function wxLogin(): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.login({
      timeout: REQUEST_TIMEOUT_MS,
      success(res) {
        if (res.code) resolve(res.code);
        else reject(new HttpError('network', 'WeChat sign-in gave no code.'));
      },
      fail(err) {
        reject(new HttpError('network', `WeChat sign-in failed (${err.errMsg}).`));
      },
    });
  });
}

let pending: Promise<StoredSession> | undefined;

async function signIn(): Promise<StoredSession> {
  const code = await wxLogin();
  const response = await send({ method: 'POST', path: '/api/session', body: { code } });
  if (response.status !== 200) throw errorFromResponse(response);
  if (!isSessionResponse(response.data)) {
    throw new HttpError('malformed', 'The sign-in answer is not a session.', response.status);
  }
  const session: StoredSession = {
    token: response.data.token,
    openid: response.data.openid,
    expiresAtMs: Date.now() + response.data.expiresIn * 1000,
  };
  wx.setStorageSync(STORAGE_KEY, session);
  return session;
}

/** A valid bearer token, signing in when there is none. Concurrent callers share one sign-in. */
export async function getToken(): Promise<string> {
  const stored = readStored();
  if (stored && stored.expiresAtMs - RENEW_MARGIN_MS > Date.now()) return stored.token;
  if (!pending) {
    const attempt = signIn();
    pending = attempt;
    // Cleared on either outcome (no Promise#finally in ES2017) so a failure can be retried.
    const clear = (): void => {
      if (pending === attempt) pending = undefined;
    };
    attempt.then(clear, clear);
  }
  return (await pending).token;
}

/** Called when the server rejects the token (expired or revoked): the next call signs in again. */
export function forgetSession(): void {
  try {
    wx.removeStorageSync(STORAGE_KEY);
  } catch {
    // Storage failing only costs one extra sign-in.
  }
}
