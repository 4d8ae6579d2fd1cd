/** Time comes from here, so tests can move it; domain code takes `now` as a parameter. */
export interface Clock {
  now(): Date;
}
export const CLOCK = Symbol('CLOCK');
export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set (HUB_TEST_CLOCK); only ever used outside production. */
export class AdjustableClock implements Clock {
  private offsetMs = 0;
  now() {
    return new Date(Date.now() + this.offsetMs);
  }
  set(to: Date) {
    this.offsetMs = to.getTime() - Date.now();
  }
  reset() {
    this.offsetMs = 0;
  }
}
