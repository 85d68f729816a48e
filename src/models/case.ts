import { Schema } from 'mongoose';
import { defineModel } from '../db/model';
import type { CaseState } from '../domain/case-machine';
import type { Step } from '../domain/ladder';

/**
 * One case per student episode. `open` carries a partial unique index: at most one open case
 * per student, even when two teachers report at the same moment. Updates are guarded by
 * `rev` (optimistic concurrency) because arrays are rewritten whole ($push is not portable).
 */
const caseSchema = new Schema<CaseDoc>(
  {
    caseId: { type: String, required: true, unique: true },
    studentNo: { type: String, required: true, index: true },
    schoolCode: { type: String, required: true, index: true },
    classId: { type: String, required: true },
    state: { type: String, required: true },
    open: { type: Boolean, required: true },
    rev: { type: Number, required: true, default: 0 },
    openedAt: { type: Date, required: true },
    openedBy: { type: String, required: true },
    /** Full unexcused school days, ISO dates, ascending. */
    absentDays: { type: [String], default: [] },
    halfDays: { type: [{ day: String, part: String, _id: false }], default: [] },
    leaveFrom: String,
    leaveUntil: String,
    leaveReason: String,
    /** Everyone pushed about this case, told again when it ends. */
    notified: { type: [String], default: [] },
    dropoutReason: String,
    mentor: String,
    helper: String,
    placement: String,
    checkIns: { type: Number, default: 0 },
    closedAt: Date,
  },
  { versionKey: false, collection: 'cases' },
);
caseSchema.index(
  { studentNo: 1 },
  { unique: true, partialFilterExpression: { open: true }, name: 'one_open_case_per_student' },
);

/** Append-only history: every move through the five gates, with who, when, why, channel. */
const eventSchema = new Schema<CaseEventRow>(
  {
    caseId: { type: String, required: true, index: true },
    studentNo: { type: String, required: true, index: true },
    type: { type: String, required: true },
    actor: { type: String, required: true },
    channel: { type: String, required: true },
    at: { type: Date, required: true },
    from: String,
    to: String,
    detail: String,
    day: String,
  },
  { versionKey: false, collection: 'case_events' },
);

/** A duty with a deadline (visit, persuasion…); its jobs are keyed by `key`. */
const obligationSchema = new Schema<ObligationDoc>(
  {
    key: { type: String, required: true, unique: true },
    caseId: { type: String, required: true, index: true },
    studentNo: { type: String, required: true },
    step: { type: String, required: true },
    assignees: { type: [String], required: true, index: true },
    dueAt: { type: Date, required: true },
    remindAt: Date,
    status: {
      type: String,
      enum: ['open', 'met', 'missed', 'cancelled'],
      required: true,
      index: true,
    },
    triggerDay: String,
    metBy: String,
    metAt: Date,
    escalatedTo: { type: [String], default: undefined },
  },
  { versionKey: false, collection: 'obligations' },
);

/** 家访 records (二(一)2(3)): who, whom, when, what was found and agreed. */
const visitSchema = new Schema<HomeVisitRow>(
  {
    studentNo: { type: String, required: true, index: true },
    caseId: String,
    visitor: { type: String, required: true, index: true },
    at: { type: Date, required: true },
    record: { type: String, required: true },
    channel: { type: String, required: true },
  },
  { versionKey: false, collection: 'home_visits' },
);

export const Case = defineModel<CaseDoc>('Case', caseSchema);
export const CaseEvent = defineModel<CaseEventRow>('CaseEvent', eventSchema);
export const Obligation = defineModel<ObligationDoc>('Obligation', obligationSchema);
export const HomeVisit = defineModel<HomeVisitRow>('HomeVisit', visitSchema);

export interface CaseDoc {
  caseId: string;
  studentNo: string;
  schoolCode: string;
  classId: string;
  state: CaseState;
  open: boolean;
  rev: number;
  openedAt: Date;
  openedBy: string;
  absentDays: string[];
  halfDays: { day: string; part: string }[];
  leaveFrom?: string;
  leaveUntil?: string;
  leaveReason?: string;
  notified: string[];
  dropoutReason?: string;
  mentor?: string;
  helper?: string;
  placement?: string;
  checkIns: number;
  closedAt?: Date;
}

export interface ObligationDoc {
  key: string;
  caseId: string;
  studentNo: string;
  step: Step;
  assignees: string[];
  dueAt: Date;
  remindAt?: Date;
  status: 'open' | 'met' | 'missed' | 'cancelled';
  triggerDay?: string;
  metBy?: string;
  metAt?: Date;
  escalatedTo?: string[];
}

export interface CaseEventRow {
  caseId: string;
  studentNo: string;
  type: string;
  actor: string;
  channel: string;
  at: Date;
  from?: string;
  to?: string;
  detail?: string;
  day?: string;
}

export interface HomeVisitRow {
  studentNo: string;
  caseId?: string;
  visitor: string;
  at: Date;
  record: string;
  channel: string;
}
