/**
 * Build-time configuration. `gulp build` replaces this module in dist/ with values from
 * MP_API_BASE_URL, MP_FUNCTIONAL_PAGE_VERSION, MP_REQUEST_TIMEOUT_MS and MP_SANDBOX_URL; these are the
 * local-sandbox defaults that tests load from source. Never put a secret here.
 */
export const API_BASE_URL: string = 'http://127.0.0.1:3000';
export const FUNCTIONAL_PAGE_VERSION: 'develop' | 'trial' | 'release' = 'develop';
export const REQUEST_TIMEOUT_MS: number = 10000;
/**
 * Development builds: the local sandbox, where a DevTools tap pays (sandbox-payer.ts). Empty in
 * release builds, which then ship no sandbox code at all.
 */
export const SANDBOX_URL: string = 'http://127.0.0.1:3100';
