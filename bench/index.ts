/** Every benchmark, in the order `npm run bench` runs them. */
import { cryptoBench } from './crypto';
import type { Bench } from './report';
import { sizesBench } from './sizes';

export const benches: Bench[] = [cryptoBench, sizesBench];
