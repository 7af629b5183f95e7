/**
 * Durations written as Go and ttn-lw-cli write them: `24h`, `30m`, `1h30m`, `0s`, `1.5h`; and,
 * where a duration is counted in days (review's `--stale 90d`), `d` too. Go has no days, so the
 * values Go would read (the configuration's) take none.
 */
import { invalidArgument } from './errors.js';
import { quote } from './validate.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const GO_UNITS = 'ms|s|m|h';
const WITH_DAYS = `${GO_UNITS}|d`;

export function parseDuration(text: string, { days = false }: { days?: boolean } = {}): number {
  const units = days ? WITH_DAYS : GO_UNITS;
  if (!new RegExp(`^(?:\\d+(?:\\.\\d+)?(?:${units}))+$`).test(text)) {
    const examples = days ? '90d, 24h or 30m' : '24h, 30m or 0s';
    throw invalidArgument('validate', 'invalid_duration', `${quote(text)} is not a duration such as ${examples}`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(new RegExp(`(\\d+(?:\\.\\d+)?)(${units})`, 'g'))) {
    total += Number(amount) * UNITS[unit!]!;
  }
  return Math.round(total);
}
