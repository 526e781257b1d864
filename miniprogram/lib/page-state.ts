/**
 * Per-instance state a page keeps outside `data` (timers, request generations, the order being
 * shown): nothing here is rendered, so it does not go through setData. One store per page file.
 */
export function pageStateStore<S>(initial: () => S): (page: object) => S {
  const states = new WeakMap<object, S>();
  return (page) => {
    let state = states.get(page);
    if (!state) {
      state = initial();
      states.set(page, state);
    }
    return state;
  };
}
