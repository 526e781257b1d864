/**
 * Virtual clock: business time (code expiry, prepay lifetime, time_expire, success_time) runs on
 * `now()`, which tests can push forward. Signature timestamps deliberately stay on the wall clock,
 * because the merchant checks them against its own clock.
 */
export class VirtualClock {
  private offsetMs = 0;
  private readonly listeners = new Set<() => void>();

  now(): number {
    return Date.now() + this.offsetMs;
  }

  offsetSeconds(): number {
    return this.offsetMs / 1000;
  }

  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new RangeError('advanceSeconds must be >= 0');
    this.offsetMs += seconds * 1000;
    for (const listener of this.listeners) listener();
  }

  onAdvance(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export interface ScheduledTask {
  cancel(): void;
}

/**
 * Runs sandbox delays: a task due in `seconds` fires after seconds × timeScale of real time, or at
 * once when the virtual clock is advanced past it, whichever comes first. close() drops everything.
 */
export class Scheduler {
  private readonly tasks = new Set<{ due: number; timer: NodeJS.Timeout; run: () => void }>();
  private readonly realTimers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly clock: VirtualClock,
    readonly timeScale: number,
  ) {
    this.unsubscribe = clock.onAdvance(() => this.fireDue());
  }

  after(seconds: number, fn: () => void): ScheduledTask {
    if (this.closed) return { cancel: () => undefined };
    const task = {
      due: this.clock.now() + seconds * 1000,
      timer: setTimeout(() => task.run(), Math.max(0, seconds * 1000 * this.timeScale)),
      run: () => {
        if (!this.tasks.delete(task)) return;
        clearTimeout(task.timer);
        fn();
      },
    };
    this.tasks.add(task);
    return {
      cancel: () => {
        clearTimeout(task.timer);
        this.tasks.delete(task);
      },
    };
  }

  /** Real-time wait (latency faults); resolves early as a no-op when the sandbox closes. */
  sleepReal(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      const t = setTimeout(() => {
        this.realTimers.delete(t);
        resolve();
      }, ms);
      this.realTimers.add(t);
    });
  }

  pending(): number {
    return this.tasks.size;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const task of this.tasks) clearTimeout(task.timer);
    this.tasks.clear();
    for (const t of this.realTimers) clearTimeout(t);
    this.realTimers.clear();
  }

  private fireDue(): void {
    const now = this.clock.now();
    for (const task of [...this.tasks].sort((a, b) => a.due - b.due)) {
      if (task.due <= now) task.run();
    }
  }
}
