/**
 * A jsdom window as Node's globals, so miniprogram-simulate (which renders into a DOM) runs in a
 * plain Node script such as `npm start`, not only under jest's jsdom environment. Install before
 * miniprogram-simulate is first required.
 */
import { JSDOM } from 'jsdom';

const GLOBALS = [
  'window',
  'document',
  'navigator',
  'Node',
  'Element',
  'HTMLElement',
  'DocumentFragment',
  'Text',
  'Comment',
  'EventTarget',
  'Event',
  'CustomEvent',
  'MouseEvent',
  'KeyboardEvent',
  'getComputedStyle',
  'requestAnimationFrame',
  'cancelAnimationFrame',
] as const;

/** Returns the undo (closes the window and removes the globals it added). */
export function installNodeDom(): () => void {
  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', {
    pretendToBeVisual: true,
  });
  const g = globalThis as unknown as Record<string, unknown>;
  const win = dom.window as unknown as Record<string, unknown>;
  const previous = new Map<string, PropertyDescriptor | undefined>();
  for (const name of GLOBALS) {
    // Node has its own Event, EventTarget and navigator; the DOM must see jsdom's, so they are
    // replaced, not kept.
    const value = name === 'window' ? dom.window : win[name];
    const bound =
      typeof value === 'function' && !/^[A-Z]/.test(name)
        ? (value as (...args: unknown[]) => unknown).bind(dom.window)
        : value;
    previous.set(name, Object.getOwnPropertyDescriptor(g, name));
    Object.defineProperty(g, name, { value: bound, configurable: true, writable: true });
  }
  return () => {
    for (const [name, descriptor] of previous) {
      if (descriptor) Object.defineProperty(g, name, descriptor);
      else delete g[name];
    }
    dom.window.close();
  };
}
