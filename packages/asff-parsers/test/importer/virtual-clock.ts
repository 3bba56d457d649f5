import { Clock } from '../../src/importer/clock';

/** A clock whose sleep advances time instantly, for pacing tests that must not wait. */
export class VirtualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += Math.max(0, ms);
  }
}
