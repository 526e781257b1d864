/**
 * WeChat's callback convention, shared by every emulated API: the answer comes on a later tick,
 * `success` or `fail` first, then `complete` with the same object.
 */
export interface Callbacks<S, F> {
  success?: (res: S) => void;
  fail?: (res: F) => void;
  complete?: (res: never) => void;
}

export function succeed<S, F>(cb: Callbacks<S, F>, res: S): void {
  setTimeout(() => {
    cb.success?.(res);
    (cb.complete as ((r: S) => void) | undefined)?.(res);
  }, 0);
}

export function failWith<S, F>(cb: Callbacks<S, F>, res: F): void {
  setTimeout(() => {
    cb.fail?.(res);
    (cb.complete as ((r: F) => void) | undefined)?.(res);
  }, 0);
}
