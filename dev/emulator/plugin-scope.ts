/**
 * The plugin's own `wx`. In WeChat a plugin's code does not see the host's `wx`: it gets one
 * of its own, holding only what plugins may use (contexts.ts). Under Jest the plugin's modules
 * (plugin/**) are compiled with a local `wx` bound to `pluginWx` here (test/setup/
 * plugin-scope-transform.js), so host pages and the plugin's components, rendered together
 * by miniprogram-simulate, still call different objects, as on a phone.
 */
let current: object | undefined;

/** Makes `wx` the plugin's; returns the undo. */
export function installPluginWx(wx: object): () => void {
  const previous = current;
  current = wx;
  return () => {
    current = previous;
  };
}

function target(): object {
  if (!current) {
    throw new Error(
      "the plugin's wx is not installed: createWx({ context: 'plugin' }) and installWx it",
    );
  }
  return current;
}

/** What plugin code sees as `wx`: whatever plugin-context wx is installed now. */
export const pluginWx: object = new Proxy(
  {},
  {
    get: (_, prop) => Reflect.get(target(), prop) as unknown,
    has: (_, prop) => prop in target(),
    set: (_, prop, value) => Reflect.set(target(), prop, value),
  },
);
