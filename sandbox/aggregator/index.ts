/** The aggregator (jump-out channel) as one unit: its state, notifier and routes. */
import type { SandboxContext } from '../context';
import type { AggregatorDeps } from './cashier';
import { AggregatorNotifier } from './notifier';
import { AggregatorState } from './state';

export { aggregatorRoutes } from './routes';
export type { AggregatorDeps } from './cashier';

export function createAggregator(ctx: SandboxContext): AggregatorDeps & { close(): void } {
  const state = new AggregatorState();
  const notifier = new AggregatorNotifier({
    clock: ctx.clock,
    scheduler: ctx.scheduler,
    faults: ctx.faults,
    state,
  });
  return { ctx, state, notifier, close: () => notifier.close() };
}
