import type { Logger } from 'pino';

/**
 * A background loop for the workers (delivery confirmation, status scheduler): runs `round` after
 * each interval; a round that returns true has more to do and runs again at once. `stop()` waits for
 * the round in progress, so shutdown never cuts a round in half. Rounds never overlap.
 */
export class RepeatingTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    private readonly name: string,
    private readonly intervalMs: number,
    private readonly round: () => Promise<boolean | void>,
    private readonly log: Logger,
  ) {}

  start(initialDelayMs = this.intervalMs) {
    this.schedule(initialDelayMs);
  }

  /** Run the next round now instead of at the end of the interval (ignored while a round runs). */
  wake() {
    if (this.timer && !this.running && !this.stopped) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number) {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      let again = false;
      try {
        this.running = this.round();
        again = (await this.running) === true;
      } catch (err) {
        this.log.error({ err }, `${this.name} failed`);
      } finally {
        this.running = undefined;
      }
      this.schedule(again ? 0 : this.intervalMs);
    }, delayMs);
  }
}
