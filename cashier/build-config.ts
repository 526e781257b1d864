/**
 * Build-time configuration. `gulp build` replaces this module in dist/ with values from
 * MP_API_BASE_URL and MP_REQUEST_TIMEOUT_MS; these are the local-sandbox defaults that tests
 * load from source. Never put a secret here (the AppSecret stays on the server).
 */
export const API_BASE_URL: string = 'http://127.0.0.1:3000';
export const REQUEST_TIMEOUT_MS: number = 10000;
