/** Every benchmark, in the order `npm run bench` runs them (numbers = the items in bench/README.md). */
import { coldStartBench } from './cold-start';
import { cryptoBench } from './crypto';
import { notifyBench } from './notify';
import { ordersBench } from './orders';
import { payBench } from './pay';
import { peerBench } from './peer';
import type { Bench } from './report';
import { roundTripsBench } from './round-trips';
import { schemesBench } from './schemes';
import { sizesBench } from './sizes';

export const benches: Bench[] = [
  cryptoBench, // 1
  payBench, // 2
  peerBench, // 3
  notifyBench, // 4
  ordersBench, // 5
  roundTripsBench, // 6
  sizesBench, // 7
  coldStartBench, // 8
  schemesBench, // 9
];
