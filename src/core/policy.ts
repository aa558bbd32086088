import { DateTime } from 'luxon';

/**
 * Rotation policy decisions: pure functions of a credential's state, its policy and the time,
 * which is always passed in. Durations are milliseconds.
 */

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface ChangeWindow {
  readonly days: readonly Weekday[];
  /** `HH:mm` local to `timeZone`; `end` before `start` means the window runs past midnight. */
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

export interface Freeze {
  readonly from: string;
  readonly until: string;
  readonly reason: string;
}

export interface Policy {
  readonly maxAge: number;
  readonly renewBefore: number;
  readonly grace: number;
  readonly notice: number;
  readonly overdueAfter: number;
  readonly changeWindows: readonly ChangeWindow[];
  readonly freezes: readonly Freeze[];
  readonly requireApproval: boolean;
  readonly approvalTimeout: number;
}

/**
 * - compliant: younger than maxAge − renewBefore;
 * - renewal-window: rotation wanted, it starts in the next open change window;
 * - due: maxAge reached (or never issued);
 * - overdue: maxAge + overdueAfter passed: the policy is violated.
 */
export type ComplianceState = 'compliant' | 'renewal-window' | 'due' | 'overdue';

export interface Compliance {
  readonly state: ComplianceState;
  readonly ageMs?: number;
  /** When people are told a rotation is coming. */
  readonly noticeFrom?: Date;
  readonly renewFrom?: Date;
  readonly dueAt?: Date;
  readonly overdueAt?: Date;
}

export function assessCompliance(issuedAt: Date | undefined, policy: Policy, now: Date): Compliance {
  if (!issuedAt) return { state: 'due' };
  const at = (offset: number): Date => new Date(issuedAt.getTime() + offset);
  const renewFrom = at(policy.maxAge - policy.renewBefore);
  const dueAt = at(policy.maxAge);
  const overdueAt = at(policy.maxAge + policy.overdueAfter);
  const t = now.getTime();
  const state: ComplianceState =
    t >= overdueAt.getTime()
      ? 'overdue'
      : t >= dueAt.getTime()
        ? 'due'
        : t >= renewFrom.getTime()
          ? 'renewal-window'
          : 'compliant';
  return {
    state,
    ageMs: Math.max(0, t - issuedAt.getTime()),
    noticeFrom: new Date(renewFrom.getTime() - policy.notice),
    renewFrom,
    dueAt,
    overdueAt,
  };
}

export function activeFreeze(policy: Policy, now: Date): Freeze | undefined {
  const t = now.getTime();
  return policy.freezes.find((f) => Date.parse(f.from) <= t && t < Date.parse(f.until));
}

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function isOpenIn(window: ChangeWindow, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: window.timeZone });
  const minute = local.hour * 60 + local.minute;
  const today = WEEKDAYS[local.weekday - 1];
  const yesterday = WEEKDAYS[(local.weekday + 5) % 7];
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  const has = (day: Weekday | undefined): boolean => day !== undefined && window.days.includes(day);
  if (start < end) return has(today) && minute >= start && minute < end;
  return (has(today) && minute >= start) || (has(yesterday) && minute < end);
}

function nextOpening(window: ChangeWindow, now: Date): Date | undefined {
  const local = DateTime.fromJSDate(now, { zone: window.timeZone });
  const start = minutesOf(window.start);
  for (let day = 0; day <= 7; day++) {
    const candidate = local
      .startOf('day')
      .plus({ days: day })
      .set({ hour: Math.floor(start / 60), minute: start % 60 });
    const weekday = WEEKDAYS[candidate.weekday - 1];
    if (weekday && window.days.includes(weekday) && candidate.toMillis() > now.getTime()) {
      return candidate.toJSDate();
    }
  }
  return undefined;
}

export interface WindowStatus {
  readonly open: boolean;
  /** When the earliest window opens next, if it is closed now. */
  readonly nextOpensAt?: Date;
}

/** Whether scheduled rotation may start now; no windows declared means always. */
export function changeWindowStatus(policy: Policy, now: Date): WindowStatus {
  if (policy.changeWindows.length === 0) return { open: true };
  if (policy.changeWindows.some((w) => isOpenIn(w, now))) return { open: true };
  const openings = policy.changeWindows
    .map((w) => nextOpening(w, now))
    .filter((d): d is Date => d !== undefined)
    .sort((a, b) => a.getTime() - b.getTime());
  return openings[0] ? { open: false, nextOpensAt: openings[0] } : { open: false };
}

export type SkipReason = 'compliant' | 'manual-mode' | 'frozen' | 'outside-change-window';

export type RotationDecision =
  | { readonly rotate: true; readonly compliance: Compliance }
  | {
      readonly rotate: false;
      readonly reason: SkipReason;
      readonly detail: string;
      readonly compliance: Compliance;
    };

/** Should the policy scan start a rotation of this credential now? */
export function decideScheduledRotation(input: {
  readonly mode: 'automatic' | 'manual';
  readonly issuedAt: Date | undefined;
  readonly policy: Policy;
  readonly now: Date;
}): RotationDecision {
  const compliance = assessCompliance(input.issuedAt, input.policy, input.now);
  if (compliance.state === 'compliant') {
    return {
      rotate: false,
      reason: 'compliant',
      detail: 'the key is younger than its renewal window',
      compliance,
    };
  }
  if (input.mode === 'manual') {
    return {
      rotate: false,
      reason: 'manual-mode',
      detail: 'the credential rotates only on request',
      compliance,
    };
  }
  return gate(input.policy, input.now, compliance);
}

/**
 * May a requested (manual) rotation start now? Requests respect freezes and change windows like
 * the schedule does, unless they are emergencies (a leaked key must rotate now).
 */
export function decideRequestedRotation(input: {
  readonly issuedAt: Date | undefined;
  readonly policy: Policy;
  readonly now: Date;
  readonly emergency: boolean;
}): RotationDecision {
  const compliance = assessCompliance(input.issuedAt, input.policy, input.now);
  if (input.emergency) return { rotate: true, compliance };
  return gate(input.policy, input.now, compliance);
}

function gate(policy: Policy, now: Date, compliance: Compliance): RotationDecision {
  const freeze = activeFreeze(policy, now);
  if (freeze) {
    return {
      rotate: false,
      reason: 'frozen',
      detail: `frozen until ${freeze.until}: ${freeze.reason}`,
      compliance,
    };
  }
  const window = changeWindowStatus(policy, now);
  if (!window.open) {
    const next = window.nextOpensAt ? `; next window opens ${window.nextOpensAt.toISOString()}` : '';
    return {
      rotate: false,
      reason: 'outside-change-window',
      detail: `outside every change window${next}`,
      compliance,
    };
  }
  return { rotate: true, compliance };
}
