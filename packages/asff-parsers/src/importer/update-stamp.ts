import { Clock, systemClock } from './clock';

/**
 * UpdatedAt values for one run. Security Hub applies an update only when its
 * UpdatedAt is strictly later than the stored one, so every stamp is later
 * than the run's start, than the finding's own UpdatedAt (a report written on
 * a machine whose clock runs ahead) and than any stored value it must replace.
 */
export class UpdateStamps {
  private readonly runStart: number;

  constructor(clock: Clock = systemClock) {
    this.runStart = clock.now();
  }

  /** The UpdatedAt for a finding about to be imported. */
  forImport(ownUpdatedAt: string | undefined): string {
    return new Date(Math.max(this.runStart, later(ownUpdatedAt))).toISOString();
  }

  /** The UpdatedAt for a stored finding about to be replaced (e.g. archived). */
  forReplacing(storedUpdatedAt: string | undefined): string {
    return this.forImport(storedUpdatedAt);
  }
}

/** One millisecond after `timestamp`, the resolution Security Hub compares at; 0 when absent or invalid. */
function later(timestamp: string | undefined): number {
  const parsed = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isNaN(parsed) ? 0 : parsed + 1;
}
