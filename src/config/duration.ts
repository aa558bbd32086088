import { Duration } from 'luxon';
import { z } from 'zod';

/**
 * An ISO 8601 duration (`P90D`, `PT24H`, `P2W`) as milliseconds. Years and months are refused:
 * their length depends on the calendar, and a key's age must not.
 */
export const isoDuration = z.string().transform((text, ctx) => {
  const duration = Duration.fromISO(text);
  if (!duration.isValid) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an ISO 8601 duration such as P90D or PT12H` });
    return z.NEVER;
  }
  if (duration.years !== 0 || duration.months !== 0 || duration.quarters !== 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" uses years or months; use weeks, days or hours` });
    return z.NEVER;
  }
  return duration.toMillis();
});
