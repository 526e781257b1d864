import type { Fault, FaultEndpoint, FaultKind } from './types';

const V3_KINDS = [
  'system_error',
  'rate_limited',
  'latency',
  'timeout',
  'reset',
  'bad_signature',
  'probe_signature',
] as const satisfies readonly FaultKind[];

/** Every kind the control API accepts (ALLOWED_KINDS then says where each applies). */
export const FAULT_KINDS = [
  ...V3_KINDS,
  'drop',
  'duplicate',
  'delay',
  'out_of_order',
  'high_risk_user',
] as const satisfies readonly FaultKind[];

/** Which fault kinds make sense where; anything else is refused when the list is set. */
export const ALLOWED_KINDS: Record<FaultEndpoint, readonly FaultKind[]> = {
  code2session: ['system_error', 'rate_limited', 'latency', 'timeout', 'reset', 'high_risk_user'],
  jsapi: V3_KINDS,
  query: V3_KINDS,
  close: V3_KINDS,
  refund: V3_KINDS,
  'refund-query': V3_KINDS,
  notify: [
    'drop',
    'duplicate',
    'delay',
    'latency',
    'out_of_order',
    'bad_signature',
    'probe_signature',
  ],
  // bad_signature: the first delivery carries a wrong sign; later ones are genuine.
  'aggregator-notify': ['drop', 'duplicate', 'delay', 'latency', 'bad_signature'],
};

export const FAULT_ENDPOINTS = Object.keys(ALLOWED_KINDS) as readonly FaultEndpoint[];

export interface ActiveFault extends Fault {
  /** How many times it has fired so far. */
  applied: number;
}

/** The faults that hit one request or delivery. */
export interface FaultHits {
  kinds: Set<FaultKind>;
  latencyMs: number;
}

export class FaultSet {
  private faults: ActiveFault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  /** Validates the whole list first, so a bad entry changes nothing. */
  set(list: readonly Fault[]): string | undefined {
    for (const [i, f] of list.entries()) {
      const allowed = ALLOWED_KINDS[f.endpoint];
      if (!allowed.includes(f.kind)) {
        return `faults[${i}]: kind '${f.kind}' does not apply to endpoint '${f.endpoint}' (allowed: ${allowed.join(', ')})`;
      }
    }
    this.faults = list.map((f) => ({ ...f, applied: 0 }));
    return undefined;
  }

  clear(): void {
    this.faults = [];
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Rolls every fault configured for `endpoint`; each that fires is counted against its `times`. */
  roll(endpoint: FaultEndpoint): FaultHits {
    const hits: FaultHits = { kinds: new Set(), latencyMs: 0 };
    for (const f of this.faults) {
      if (f.endpoint !== endpoint) continue;
      if (f.times !== undefined && f.applied >= f.times) continue;
      const rate = f.rate ?? 1;
      if (rate < 1 && this.random() >= rate) continue;
      f.applied += 1;
      hits.kinds.add(f.kind);
      if (f.kind === 'latency' || f.kind === 'delay') {
        hits.latencyMs = Math.max(hits.latencyMs, f.latencyMs ?? 1000);
      }
    }
    return hits;
  }
}
