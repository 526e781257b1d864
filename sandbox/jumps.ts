/**
 * Jumps between mini programs, as the WeChat client reports them (POST /sandbox/jumps): the
 * confirmation dialog and its answer, the opening, and the way back. Real WeChat sees every
 * jump; here the emulated client tells the sandbox, so the inspection page can show them.
 */
import { rfc3339Beijing } from './ids';

export type JumpEventKind = 'open' | 'dialog' | 'return';

export type JumpApi =
  'navigateToMiniProgram' | 'openEmbeddedMiniProgram' | 'navigateBackMiniProgram' | 'swipe-away';

/** What the client sends: one event, validated by the route. */
export interface JumpEventInput {
  event: JumpEventKind;
  /** The mini program leaving (the opener for open / dialog, the target for a return). */
  from: string;
  to: string;
  api?: JumpApi;
  kind?: 'embedded' | 'full-screen' | 'fallback';
  reason?: 'not-approved' | 'not-declared' | 'landscape';
  answer?: 'confirm' | 'cancel';
  path?: string;
  apiCategory?: 'default' | 'embedded';
  extraData?: Record<string, unknown>;
  extraDataLost?: boolean;
  user?: string;
}

export interface JumpEvent extends JumpEventInput {
  id: string;
  /** Virtual time the sandbox received it. */
  at: number;
}

/** A client jumping in a loop must not grow memory without bound; the latest events matter most. */
export const MAX_JUMPS_KEPT = 500;

export class JumpLog {
  /** Oldest first, at most MAX_JUMPS_KEPT. */
  readonly events: JumpEvent[] = [];
  /** How many older events were let go to keep that bound. */
  omitted = 0;
  private seq = 0;

  record(input: JumpEventInput, at: number): JumpEvent {
    this.seq += 1;
    const event: JumpEvent = { id: `jump_${this.seq}`, at, ...input };
    this.events.push(event);
    if (this.events.length > MAX_JUMPS_KEPT) {
      this.events.shift();
      this.omitted += 1;
    }
    return event;
  }
}

/** The control API's view: `at` in Beijing RFC 3339, like every other sandbox time. */
export function jumpView(e: JumpEvent): Record<string, unknown> {
  return { ...e, at: rfc3339Beijing(e.at) };
}
