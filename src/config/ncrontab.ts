import { Cron } from 'croner';

/**
 * A six-field NCRONTAB expression (`{second} {minute} {hour} {day} {month} {day-of-week}`), the
 * format of Azure Functions timer triggers, evaluated in UTC as on Linux plans.
 */
export interface Ncrontab {
  readonly expression: string;
  /** The first occurrence strictly after `from`. */
  next(from: Date): Date;
}

export function parseNcrontab(expression: string): Ncrontab {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(
      `"${expression}" is not an NCRONTAB expression: six fields are required, ${fields.length} given.`,
    );
  }
  const cron = new Cron(fields.join(' '), { paused: true, timezone: 'UTC' });
  return {
    expression,
    next(from: Date): Date {
      const next = cron.nextRun(from);
      if (!next) throw new Error(`"${expression}" never fires after ${from.toISOString()}.`);
      return next;
    },
  };
}
