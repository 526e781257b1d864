/**
 * The `wx` of code that must not see the host page's. In WeChat a plugin's code gets a `wx` of
 * its own, holding only what plugins may use (contexts.ts); and another mini program on the
 * same phone (the merchant's cashier, opened from the shop) has its own `wx` altogether. Under
 * Jest their modules (plugin/**, cashier/** and their builds) are compiled with a local `wx`
 * bound to `pluginWx` / `cashierWx` here (test/setup/plugin-scope-transform.js; outside Jest
 * plugin-scope-hook.ts), so pages rendered together by miniprogram-simulate still call
 * different objects, as on a phone.
 */

interface Scope {
  /** What the scope's code sees as `wx`: whatever is installed now. */
  readonly wx: object;
  /** Makes `wx` the scope's; returns the undo. */
  install(wx: object): () => void;
}

function scope(missing: string): Scope {
  let current: object | undefined;
  const target = (): object => {
    if (!current) throw new Error(missing);
    return current;
  };
  return {
    wx: new Proxy(
      {},
      {
        get: (_, prop) => Reflect.get(target(), prop) as unknown,
        has: (_, prop) => prop in target(),
        set: (_, prop, value) => Reflect.set(target(), prop, value),
      },
    ),
    install(wx) {
      const previous = current;
      current = wx;
      return () => {
        current = previous;
      };
    },
  };
}

const plugin = scope(
  "the plugin's wx is not installed: createWx({ context: 'plugin' }) and installWx it",
);
const cashier = scope(
  "the cashier mini program's wx is not installed: open it on a phone (dev/cashier-app.ts)",
);

/** What plugin code sees as `wx`: whatever plugin-context wx is installed now. */
export const pluginWx: object = plugin.wx;
export const installPluginWx = (wx: object): (() => void) => plugin.install(wx);

/** What the cashier mini program's code (cashier/**) sees as `wx`. */
export const cashierWx: object = cashier.wx;
export const installCashierWx = (wx: object): (() => void) => cashier.install(wx);
