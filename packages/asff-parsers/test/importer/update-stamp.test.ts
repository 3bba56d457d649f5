import { VirtualClock } from './virtual-clock';
import { UpdateStamps } from '../../src/importer/update-stamp';

describe('UpdateStamps', () => {
  test('stamps imports with the run start when the report is older', () => {
    const clock = new VirtualClock(Date.parse('2026-05-01T00:00:00.000Z'));
    expect(new UpdateStamps(clock).forImport('2026-01-01T00:00:00Z')).toBe('2026-05-01T00:00:00.000Z');
  });

  test('stays strictly later than a report UpdatedAt that lies in the future', () => {
    const clock = new VirtualClock(Date.parse('2026-05-01T00:00:00.000Z'));
    expect(new UpdateStamps(clock).forImport('2026-06-01T00:00:00.000Z')).toBe('2026-06-01T00:00:00.001Z');
  });

  test('replaces a stored finding with a strictly later UpdatedAt', () => {
    const clock = new VirtualClock(Date.parse('2026-05-01T00:00:00.000Z'));
    const stamps = new UpdateStamps(clock);
    expect(Date.parse(stamps.forReplacing('2026-05-01T00:00:00.000Z'))).toBeGreaterThan(Date.parse('2026-05-01T00:00:00.000Z'));
  });

  test('tolerates a missing or invalid UpdatedAt', () => {
    const clock = new VirtualClock(Date.parse('2026-05-01T00:00:00.000Z'));
    expect(new UpdateStamps(clock).forImport(undefined)).toBe('2026-05-01T00:00:00.000Z');
    expect(new UpdateStamps(clock).forImport('yesterday')).toBe('2026-05-01T00:00:00.000Z');
  });
});
