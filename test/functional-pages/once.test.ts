import { once } from '../../functional-pages/once';

test('the first answer wins; later ones are dropped with a warning', () => {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const seen: unknown[] = [];
  const answer = once((value: number) => seen.push(value), 'test');
  answer(1);
  answer(2);
  expect(seen).toEqual([1]);
  expect(warn).toHaveBeenCalledTimes(1);
  warn.mockRestore();
});

test('a throwing callback is contained and still counts as the answer', () => {
  const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  let calls = 0;
  const answer = once(() => {
    calls += 1;
    throw new Error('host bug');
  }, 'test');
  expect(() => answer()).not.toThrow();
  answer();
  expect(calls).toBe(1);
  expect(error).toHaveBeenCalledTimes(1);
  error.mockRestore();
  warn.mockRestore();
});
