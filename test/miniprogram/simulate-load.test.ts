/**
 * Regression: the consumer's checkout, the plugin's cashier page and our cashier mini program's
 * page, loaded in one test file as test/e2e/plugin-cashier.test.ts does, each draw their own
 * template (they once collided; test/miniprogram/simulate-roots.test.ts shows why).
 */
import simulate from 'miniprogram-simulate';
import { loadCashierPage } from '../../dev/cashier-app';
import { loadConsumerPage } from '../../dev/consumer-phone';
import type { Page } from '../../dev/pages-harness';
import { loadFromTree } from '../../dev/simulate-load';

function draw(id: string): Page {
  const page = simulate.render(id) as unknown as Page;
  page.attach(document.createElement('page-wrapper'));
  return page;
}

it('the repository’s pages, the plugin page and the cashier page each draw their own', () => {
  const consumer = loadConsumerPage();
  const pluginPage = loadFromTree('source', 'plugin/pages/cashier/index');
  draw(consumer);

  const plugin = draw(pluginPage);
  expect(plugin.dom?.textContent?.trim()).toBe('正在读取订单…');
  plugin.setData({ phase: 'ready', orderNo: 'WP1', amount: '¥1.00', offered: true, canOpen: true });
  expect(plugin.querySelector('#amount')?.dom?.textContent).toBe('¥1.00');
  expect(plugin.querySelector('#pay')?.dom?.textContent?.trim()).toBe('去收银台支付');

  const pay = draw(loadCashierPage());
  expect(pay.querySelector('#loading')?.dom?.textContent?.trim()).toBe('正在读取订单…');
});
