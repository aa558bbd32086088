import { describe, expect, it } from 'vitest';

import {
  activeFreeze,
  assessCompliance,
  changeWindowStatus,
  decideRequestedRotation,
  decideScheduledRotation,
  type Policy,
} from '../../src/core/policy';
import { DAY, HOUR } from '../support/clock';

const policy = (overrides: Partial<Policy> = {}): Policy => ({
  maxAge: 90 * DAY,
  renewBefore: 14 * DAY,
  grace: DAY,
  notice: 7 * DAY,
  overdueAfter: DAY,
  changeWindows: [],
  freezes: [],
  requireApproval: false,
  approvalTimeout: 3 * DAY,
  ...overrides,
});

const issuedAt = new Date('2026-01-01T00:00:00Z');
const after = (ms: number): Date => new Date(issuedAt.getTime() + ms);

describe('compliance', () => {
  it.each([
    ['a fresh key', 1 * DAY, 'compliant'],
    ['the last moment before the renewal window', 76 * DAY - 1, 'compliant'],
    ['the start of the renewal window', 76 * DAY, 'renewal-window'],
    ['maximum age reached', 90 * DAY, 'due'],
    ['just before overdue', 91 * DAY - 1, 'due'],
    ['maximum age plus the overdue tolerance', 91 * DAY, 'overdue'],
  ])('classifies %s as %s', (_label, age, expected) => {
    expect(assessCompliance(issuedAt, policy(), after(age)).state).toBe(expected);
  });

  it('treats a credential that was never issued as due', () => {
    expect(assessCompliance(undefined, policy(), issuedAt).state).toBe('due');
  });

  it('reports the age and the dates that matter', () => {
    const c = assessCompliance(issuedAt, policy(), after(10 * DAY));
    expect(c.ageMs).toBe(10 * DAY);
    expect(c.dueAt).toEqual(after(90 * DAY));
    expect(c.renewFrom).toEqual(after(76 * DAY));
    expect(c.noticeFrom).toEqual(after(69 * DAY));
    expect(c.overdueAt).toEqual(after(91 * DAY));
  });
});

describe('change windows', () => {
  const weekdays9to17Berlin = policy({
    changeWindows: [
      { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin' },
    ],
  });

  it.each([
    ['Monday 08:59 Berlin (07:59Z in winter)', '2026-01-05T07:59:00Z', false],
    ['Monday 09:00 Berlin', '2026-01-05T08:00:00Z', true],
    ['Monday 16:59 Berlin', '2026-01-05T15:59:00Z', true],
    ['Monday 17:00 Berlin', '2026-01-05T16:00:00Z', false],
    ['Saturday noon', '2026-01-10T11:00:00Z', false],
    ['Monday 09:30 Berlin in summer time (07:30Z)', '2026-07-06T07:30:00Z', true],
  ])('is open at %s: %s', (_label, at, open) => {
    expect(changeWindowStatus(weekdays9to17Berlin, new Date(at)).open).toBe(open);
  });

  it('says when the next window opens', () => {
    const status = changeWindowStatus(weekdays9to17Berlin, new Date('2026-01-09T18:00:00Z'));
    expect(status).toEqual({ open: false, nextOpensAt: new Date('2026-01-12T08:00:00Z') });
  });

  it('handles windows that run past midnight, attributed to the day they start', () => {
    const nightly = policy({
      changeWindows: [{ days: ['fri'], start: '22:00', end: '02:00', timeZone: 'UTC' }],
    });
    expect(changeWindowStatus(nightly, new Date('2026-01-09T23:00:00Z')).open).toBe(true);
    expect(changeWindowStatus(nightly, new Date('2026-01-10T01:59:00Z')).open).toBe(true);
    expect(changeWindowStatus(nightly, new Date('2026-01-10T02:00:00Z')).open).toBe(false);
    expect(changeWindowStatus(nightly, new Date('2026-01-08T23:00:00Z')).open).toBe(false);
  });
});

describe('rotation decisions', () => {
  const frozen = policy({
    freezes: [{ from: '2026-03-25T00:00:00Z', until: '2026-04-05T00:00:00Z', reason: 'quarter close' }],
  });

  it('rotates an automatic credential in its renewal window when nothing blocks it', () => {
    const decision = decideScheduledRotation({
      mode: 'automatic',
      issuedAt,
      policy: policy(),
      now: after(80 * DAY),
    });
    expect(decision.rotate).toBe(true);
  });

  it.each([
    ['a compliant key', 'automatic', policy(), 10 * DAY, 'compliant'],
    ['a manual-mode credential', 'manual', policy(), 95 * DAY, 'manual-mode'],
    ['an overdue key during a freeze', 'automatic', frozen, 87 * DAY, 'frozen'],
  ] as const)('does not rotate %s', (_label, mode, p, age, reason) => {
    const decision = decideScheduledRotation({ mode, issuedAt, policy: p, now: after(age) });
    expect(decision).toMatchObject({ rotate: false, reason });
  });

  it('waits for the change window and says when it opens', () => {
    const p = policy({ changeWindows: [{ days: ['sun'], start: '02:00', end: '04:00', timeZone: 'UTC' }] });
    const decision = decideScheduledRotation({
      mode: 'automatic',
      issuedAt,
      policy: p,
      now: after(80 * DAY),
    });
    expect(decision).toMatchObject({ rotate: false, reason: 'outside-change-window' });
    expect(decision.rotate ? '' : decision.detail).toContain('next window opens');
  });

  it('lets an emergency request through a freeze and outside any window', () => {
    const now = new Date('2026-03-30T03:00:00Z');
    expect(activeFreeze(frozen, now)?.reason).toBe('quarter close');
    expect(decideRequestedRotation({ issuedAt, policy: frozen, now, emergency: false })).toMatchObject({
      rotate: false,
      reason: 'frozen',
    });
    expect(decideRequestedRotation({ issuedAt, policy: frozen, now, emergency: true }).rotate).toBe(true);
  });

  it('honours freezes exactly at their boundaries', () => {
    expect(activeFreeze(frozen, new Date('2026-03-25T00:00:00Z'))).toBeDefined();
    expect(activeFreeze(frozen, new Date('2026-04-05T00:00:00Z'))).toBeUndefined();
    expect(activeFreeze(frozen, new Date(Date.parse('2026-03-25T00:00:00Z') - HOUR))).toBeUndefined();
  });
});
