/** A live count and rate on stderr, for a person watching a bulk create; nothing when stderr is not a terminal. */
import type { ErrorStream } from '../app/streams.js';

export class Progress {
  private count = 0;
  private readonly started: number;
  private lastDrawn = 0;
  private readonly live: boolean;

  constructor(
    private readonly what: string,
    private readonly stream: ErrorStream,
    private readonly clock: () => number,
  ) {
    this.live = stream.isTTY;
    this.started = clock();
  }

  add(n: number): void {
    this.count += n;
    const now = this.clock();
    // Ten redraws a second are plenty for a person, and cheap for a million items.
    if (!this.live || now - this.lastDrawn < 100) return;
    this.lastDrawn = now;
    const rate = this.count / Math.max((now - this.started) / 1000, 0.001);
    this.stream.live(`${this.count.toLocaleString('en')} ${this.what} (${Math.round(rate).toLocaleString('en')}/s)`);
  }

  /** Clears the line, leaving the terminal as it was. */
  end(): void {
    this.stream.endLive();
  }
}
