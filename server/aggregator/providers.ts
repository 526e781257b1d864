/** Aggregator providers by the name AGGREGATOR_PROVIDER gives: one file each. */
import type { AggregatorConfig } from './config';
import { md5SortedProvider } from './md5-sorted';
import type { AggregatorProvider } from './provider';

export const AGGREGATOR_PROVIDERS = ['md5-sorted'] as const;

export type AggregatorProviderName = (typeof AGGREGATOR_PROVIDERS)[number];

export function createAggregatorProvider(config: AggregatorConfig): AggregatorProvider {
  switch (config.provider) {
    case 'md5-sorted':
      return md5SortedProvider({ mchId: config.mchId, key: config.key });
  }
}
