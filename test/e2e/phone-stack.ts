/**
 * The set-up every page-level test file shares: the shop's pages loaded once, a local stack in its
 * own process (stack-process.ts), the result page's poll delays for the file, and every phone a
 * test picked up put down after that test.
 */
import { pollPolicy } from '../../miniprogram/lib/order-status';
import type { StackOptions } from '../../dev/stack';
import { loadPages } from '../../dev/pages-harness';
import type { PageName } from '../../dev/pages-harness';
import { pickUpPhone } from '../../dev/phone';
import type { Phone, PhoneOptions } from '../../dev/phone';
import { startRemoteStack } from '../../dev/remote-stack';
import type { RemoteStack } from '../../dev/remote-stack';

export interface PhoneStackOptions<K extends string> {
  /** pollPolicy.delaysMs for this file (the pages share that module); the page's own if omitted. */
  pollDelaysMs?: number[];
  /** How the stack is started. */
  stack?: StackOptions;
  /** More stacks started alongside, by name (e.g. a server with another config). */
  others?: Record<K, StackOptions>;
  /** WeChat's language on every phone of the file unless a phone says otherwise (default zh_CN). */
  language?: string;
}

/** What a phone needs besides the stack it talks to. */
export type PhoneOnStack = Omit<PhoneOptions, 'serverUrl' | 'sandboxUrl'>;

export interface PhoneStack<K extends string> {
  /** The running stack (from `beforeAll` on). */
  readonly stack: RemoteStack;
  /** The stacks named in `others`. */
  readonly others: Readonly<Record<K, RemoteStack>>;
  /** A phone on `on` (default: the stack), put down after the current test. */
  pickUp(options: PhoneOnStack, on?: RemoteStack): Phone;
}

/** Registers the hooks; call once at the top of a test file. */
export function usePhoneStack<K extends string = never>(
  options: PhoneStackOptions<K> = {},
): PhoneStack<K> {
  let stack: RemoteStack | undefined;
  let others: Record<K, RemoteStack> | undefined;
  let ids: Record<PageName, string> | undefined;
  let inUse: Phone[] = [];

  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('usePhoneStack: the stack is not started yet');
    return value;
  };

  beforeAll(async () => {
    ids = loadPages();
    if (options.pollDelaysMs) {
      pollPolicy.delaysMs = options.pollDelaysMs;
      pollPolicy.returnedDelaysMs = options.pollDelaysMs;
    }
    const named = Object.entries<StackOptions>(options.others ?? {}) as Array<[K, StackOptions]>;
    const [main, ...rest] = await Promise.all([
      startRemoteStack(options.stack),
      ...named.map(([, o]) => startRemoteStack(o)),
    ]);
    stack = main;
    others = Object.fromEntries(named.map(([name], i) => [name, rest[i]])) as Record<
      K,
      RemoteStack
    >;
  }, 30_000);

  afterEach(() => {
    for (const phone of inUse) phone.put();
    inUse = [];
  });

  afterAll(async () => {
    await Promise.all([stack, ...Object.values<RemoteStack>(others ?? {})].map((s) => s?.close()));
  });

  return {
    get stack() {
      return ready(stack);
    },
    get others() {
      return ready(others);
    },
    pickUp(phoneOptions, on) {
      const language = options.language ? { language: options.language } : {};
      const phone = pickUpPhone(
        { ...(on ?? ready(stack)), ...language, ...phoneOptions },
        ready(ids),
      );
      inUse.push(phone);
      return phone;
    },
  };
}
