/** Timings and WeChat-facing strings of pay-button, apart from the Component() call so tests can read them. */

/**
 * After the user comes back to the host page, how long to wait for WeChat's result before the
 * button is usable again. Base libraries before 2.4.1 fire nothing when the user just leaves
 * the functional page; without this the button would stay busy forever.
 */
export const RETURN_GRACE_MS = 2000;

export const DEVTOOLS_ERRMSG =
  'requestPayment:fail functional pages do not run in WeChat DevTools: test payment on a real device';
