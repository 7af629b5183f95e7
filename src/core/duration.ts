/** Durations written as Go and ttn-lw-cli write them: `24h`, `30m`, `1h30m`, `0s`, `1.5h`. */
import { invalidArgument } from './errors.js';
import { quote } from './validate.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

export function parseDuration(text: string): number {
  if (!DURATION.test(text)) {
    throw invalidArgument('validate', 'invalid_duration', `${quote(text)} is not a duration such as 24h, 30m or 0s`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNITS[unit!]!;
  return Math.round(total);
}
