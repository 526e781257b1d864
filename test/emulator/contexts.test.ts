/**
 * The emulator's contexts are as strict as WeChat's documentation (dev/emulator/contexts.ts):
 * a plugin's wx lacks what plugins may not use, APIs newer than the base library are absent,
 * and a plugin component's route calls are refused. These tests keep it from drifting back to
 * one kind wx for everyone.
 */
import { createWx, installWx } from '../../dev/emulator';
import { API_RULES, compareVersions } from '../../dev/emulator/contexts';
import { pluginWx } from '../../dev/emulator/plugin-scope';

const make = (options: Partial<Parameters<typeof createWx>[0]> = {}) =>
  createWx({ sandboxUrl: 'http://127.0.0.1:9', user: 'ctx', ...options });

/** Runs a callback-style API and returns the errMsg of its fail (or 'ok'). */
function answer(fn: (option: Record<string, unknown>) => void): Promise<string> {
  return new Promise((resolve) => {
    fn({
      url: '/pages/x/index',
      success: () => resolve('ok'),
      fail: (r: { errMsg: string }) => resolve(r.errMsg),
    });
  });
}

describe("the plugin's wx", () => {
  const plugin = make({ context: 'plugin' });

  it.each(Object.entries(API_RULES).filter(([, rule]) => rule.plugin === false))(
    'has no %s (its doc: 小程序插件：不支持)',
    (name) => {
      expect(name in plugin).toBe(false);
    },
  );

  it('has no canIUse, requestPayment or switchTab, and a plugin-only requestPluginPayment', () => {
    expect('canIUse' in plugin).toBe(false);
    expect('requestPayment' in plugin).toBe(false);
    expect('switchTab' in plugin).toBe(false);
    expect(typeof plugin.requestPluginPayment).toBe('function');
    expect('requestPluginPayment' in make({ context: 'host' })).toBe(false);
  });

  it.each(
    Object.entries(API_RULES).filter(
      ([, rule]) => rule.plugin !== false && compareVersions(rule.plugin, '1.9.6') > 0,
    ),
  )('gets %s only from the base library its doc names', (name, rule) => {
    const [major, minor, patch] = (rule.plugin as string).split('.').map(Number) as [
      number,
      number,
      number,
    ];
    const before = patch > 0 ? `${major}.${minor}.${patch - 1}` : `${major}.${minor - 1}.99`;
    expect(name in make({ context: 'plugin', baseLibrary: before })).toBe(false);
    expect(name in make({ context: 'plugin', baseLibrary: rule.plugin as string })).toBe(true);
  });

  it('has a wx.login that fails: plugins need the user-info page first', async () => {
    expect(await answer(plugin.login as never)).toBe(
      'login:fail plugin is not authorized by the user',
    );
  });

  it("refuses a component's route calls; a plugin page may navigate", async () => {
    expect(await answer(plugin.navigateTo as never)).toBe(
      'navigateTo:fail rejected due to no permission currently in plugin',
    );
    expect(await answer(plugin.redirectTo as never)).toMatch(/^redirectTo:fail rejected/);
    const page = make({ context: 'plugin', pluginSurface: 'page' });
    expect(await answer(page.navigateTo as never)).toBe('ok');
  });

  it('is installed into the plugin scope, never as the global wx', () => {
    const g = globalThis as { wx?: unknown };
    const before = g.wx;
    const undo = installWx(plugin);
    try {
      expect(g.wx).toBe(before);
      expect('canIUse' in pluginWx).toBe(false);
      expect(typeof (pluginWx as { request?: unknown }).request).toBe('function');
    } finally {
      undo();
    }
    expect(() => (pluginWx as { request?: unknown }).request).toThrow(/not installed/);
  });
});

describe('base library versions', () => {
  it('leave out what is newer than the base library, in every context', () => {
    const old = make({ baseLibrary: '2.19.0' });
    expect('getDeviceInfo' in old).toBe(false);
    expect('getWindowInfo' in old).toBe(false);
    expect(typeof old.getSystemInfoSync).toBe('function');
    expect(typeof make({ baseLibrary: '2.20.1' }).getDeviceInfo).toBe('function');
  });

  it('give the host the whole table, and the owner app all but the jumps', () => {
    for (const context of ['host', 'functional-page'] as const) {
      const wx = make({ context });
      for (const [name, rule] of Object.entries(API_RULES)) {
        const withheld = context === 'functional-page' && rule.notInFunctionalPages === true;
        expect(name in wx).toBe(!rule.pluginOnly && !withheld);
      }
    }
  });

  it('compare as numbers, not strings', () => {
    expect(compareVersions('2.10.0', '2.9.9')).toBe(1);
    expect(compareVersions('2.22.1', '2.22.1')).toBe(0);
    expect(compareVersions('2.3', '2.3.1')).toBe(-1);
  });
});

describe('jumps and app events, per context and base library', () => {
  it.each([
    ['navigateToMiniProgram', '1.2.9', '1.3.0'],
    ['navigateBackMiniProgram', '1.2.9', '1.3.0'],
    ['openEmbeddedMiniProgram', '2.20.0', '2.20.1'],
    ['onAppShow', '2.1.1', '2.1.2'],
    ['offAppHide', '2.1.1', '2.1.2'],
    ['getLaunchOptionsSync', '2.1.1', '2.1.2'],
    ['getEnterOptionsSync', '2.9.3', '2.9.4'],
  ])('a host page gets %s from its doc page’s base library', (name, before, since) => {
    expect(name in make({ baseLibrary: before })).toBe(false);
    expect(name in make({ baseLibrary: since })).toBe(true);
  });

  it('a functional page may not jump to another mini program', () => {
    const page = make({ context: 'functional-page' });
    expect('navigateToMiniProgram' in page).toBe(false);
    expect('openEmbeddedMiniProgram' in page).toBe(false);
    expect(typeof page.getEnterOptionsSync).toBe('function');
  });

  it('a plugin has no app events and no navigateBackMiniProgram, but reads enter options', () => {
    const plugin = make({ context: 'plugin' });
    for (const name of ['onAppShow', 'offAppShow', 'onAppHide', 'offAppHide']) {
      expect(name in plugin).toBe(false);
    }
    expect('navigateBackMiniProgram' in plugin).toBe(false);
    expect(typeof plugin.getEnterOptionsSync).toBe('function');
    expect('getEnterOptionsSync' in make({ context: 'plugin', baseLibrary: '2.9.3' })).toBe(false);
  });

  it("refuses a plugin component's jumps; a plugin page meets WeChat's own rules instead", async () => {
    const component = make({ context: 'plugin' });
    expect(await answer(component.navigateToMiniProgram as never)).toBe(
      'navigateToMiniProgram:fail rejected due to no permission currently in plugin',
    );
    expect(await answer(component.openEmbeddedMiniProgram as never)).toBe(
      'openEmbeddedMiniProgram:fail rejected due to no permission currently in plugin',
    );
    const page = make({ context: 'plugin', pluginSurface: 'page' });
    expect(await answer(page.navigateToMiniProgram as never)).toBe(
      'navigateToMiniProgram:fail can only be invoked by user TAP gesture.',
    );
    expect('openEmbeddedMiniProgram' in make({ context: 'plugin', baseLibrary: '2.26.1' })).toBe(
      false,
    );
    expect('navigateToMiniProgram' in make({ context: 'plugin', baseLibrary: '2.18.0' })).toBe(
      false,
    );
  });
});
