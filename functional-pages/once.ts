/**
 * WeChat must get exactly one answer per call. The first call wins; later calls are dropped
 * and logged, and a throwing callback cannot make us answer a second time.
 */
export function once<A extends unknown[]>(
  callback: (...args: A) => void,
  label: string,
): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) {
      console.warn(`[${label}] callback already called; ignoring a second answer`);
      return;
    }
    called = true;
    try {
      callback(...args);
    } catch (err) {
      console.error(`[${label}] callback threw`, err);
    }
  };
}
