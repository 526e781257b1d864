/**
 * `requirePlugin(alias)`: how a host mini program reaches a plugin's main (plugin.json "main").
 * WeChat resolves the alias through the host's app.json "plugins"; here the test names what
 * each alias loads. An alias the host did not declare throws, as in WeChat.
 */
export function installRequirePlugin(plugins: Record<string, () => unknown>): () => void {
  const g = globalThis as { requirePlugin?: unknown };
  const previous = g.requirePlugin;
  g.requirePlugin = (alias: string) => {
    const load = plugins[alias];
    if (!load) throw new Error(`requirePlugin: no plugin "${alias}" in this app's app.json`);
    return load();
  };
  return () => {
    g.requirePlugin = previous;
  };
}
