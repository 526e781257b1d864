import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Scheduler, VirtualClock } from './clock';
import type { FaultHits, FaultSet } from './faults';
import type { SandboxKeys } from './keys';
import type { Notifier } from './notifier';
import type { Store } from './store';
import type { FaultEndpoint, SerialMode } from './types';

/** Everything a route needs, built once per sandbox instance. */
export interface SandboxContext {
  keys: SandboxKeys;
  clock: VirtualClock;
  scheduler: Scheduler;
  store: Store;
  faults: FaultSet;
  notifier: Notifier;
  settings: { serialMode: SerialMode };
  timeScale: number;
}

export type App = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Exact body bytes as received (decoded as UTF-8); what a v3 signature covers. */
    rawBody: string | undefined;
    /** Why the body could not be used (wrong content type, bad JSON), reported after auth. */
    bodyProblem: string | undefined;
    faultHits: FaultHits | undefined;
    /** v3: the mchid of the Authorization header once it verified (mchId or spMchId). */
    authMchid: string | undefined;
    /** API v2: the body bytes as received (UTF-8 is checked by the v2 wire, not assumed). */
    rawBytes: Buffer | undefined;
  }
  interface FastifyContextConfig {
    /** Fault-injection target of this route. */
    endpoint?: FaultEndpoint;
    /** API v2 routes answer every fault in XML themselves (see v2/wire.ts). */
    wire?: 'v2';
  }
}
