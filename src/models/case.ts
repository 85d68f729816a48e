import { Schema } from 'mongoose';
import { defineModel, placeFields } from '../db/model';
import type { CaseView, Duty as DerivedDuty, DutyStatus } from '../domain/cases/derive';
import type { DayPart, FactBase, FactType } from '../domain/cases/facts';
import type { VisitParts } from '../domain/prevention';
import type { Place } from '../domain/roster';

/** The derived view's summary, stored on the case row. */
type CaseSummary = Pick<
  CaseView,
  'gate' | 'open' | 'closedAt' | 'absentSince' | 'awayDays' | 'longAbsence' | 'transferPending'
>;

/**
 * The case record. `case_facts` is the truth (append-only: who reported what, when, how);
 * `cases` and `duties` are views derived from it (src/domain/cases/derive.ts), kept for
 * 待办, 概况 and the sweeper's due times. `home_visits` are the visit records themselves.
 */
export interface CaseRow extends Place, CaseSummary {
  caseId: string;
  studentNo: string;
  openedAt: Date;
  openedBy: string;
  /** When the derived view next changes by itself (the sweeper's index). */
  wakeAt?: Date | null;
  /** Gate moves already announced (the view's moves beyond this are new). */
  moveCount: number;
  /** Everyone pushed about this case, told again when it ends. */
  notified: string[];
  /** The student's name as the roster had it at the last sync (案件 lists it without a read). */
  name?: string;
  rev: number;
}

const caseSchema = new Schema<CaseRow>(
  {
    caseId: { type: String, required: true, unique: true },
    studentNo: { type: String, required: true, index: true },
    ...placeFields({ classIndex: true }),
    gate: { type: String, required: true },
    open: { type: Boolean, required: true },
    openedAt: { type: Date, required: true },
    openedBy: { type: String, required: true },
    closedAt: Date,
    absentSince: String,
    awayDays: { type: Number, default: 0 },
    longAbsence: { type: Boolean, default: false },
    transferPending: { type: Boolean, default: false },
    wakeAt: { type: Date, index: true },
    moveCount: { type: Number, default: 0 },
    notified: { type: [String], default: [] },
    name: String,
    rev: { type: Number, default: 0 },
  },
  { versionKey: false, collection: 'cases' },
);
// 概况, 案件 and the bureau's lists over the district: open cases, by school.
caseSchema.index({ open: 1, schoolCode: 1 });
caseSchema.index(
  { studentNo: 1 },
  { unique: true, partialFilterExpression: { open: true }, name: 'one_open_case_per_student' },
);

/** A fact as stored: the union in domain/cases/facts.ts, flattened. */
export interface FactRow extends Place, Omit<FactBase, 'channel'> {
  type: FactType;
  channel: string;
  day?: string;
  part?: DayPart;
  until?: string;
  nextDay?: string;
  visitId?: string;
  pending?: boolean;
  mentor?: string;
  helper?: string;
  placement?: string;
  week?: number;
  inDistrict?: boolean;
  destination?: string;
  toSchool?: string;
  target?: string;
}

const factSchema = new Schema<FactRow>(
  {
    factId: { type: String, required: true, unique: true },
    caseId: { type: String, required: true, index: true },
    studentNo: { type: String, required: true, index: true },
    ...placeFields(),
    type: { type: String, required: true },
    actor: { type: String, required: true },
    onBehalfOf: String,
    channel: { type: String, required: true },
    at: { type: Date, required: true, index: true },
    inferred: Boolean,
    dutyId: String,
    detail: String,
    day: String,
    part: String,
    until: String,
    nextDay: String,
    visitId: String,
    pending: Boolean,
    mentor: String,
    helper: String,
    placement: String,
    week: Number,
    inDistrict: Boolean,
    destination: String,
    toSchool: String,
    target: String,
  },
  { versionKey: false, collection: 'case_facts' },
);
factSchema.index({ type: 1, at: 1 });

/** A derived duty as stored, with its case's keys. */
export interface DutyRow extends Place, Omit<DerivedDuty, 'status'> {
  caseId: string;
  /**
   * Whether its case is open (the case's `open`, copied by every sync): a closed case's duties
   * are history, so 逾期 and 概况 filter on this without reading the cases (issue #11).
   */
  caseOpen: boolean;
  /**
   * The student's name as the roster had it at the last sync: 待办 and the lists name a duty's
   * student without reading the student (namesake tails are still decided live).
   */
  name?: string;
  studentNo: string;
  /** The derived status, or 'cancelled' when a withdrawn fact took the duty away. */
  status: DutyStatus | 'cancelled';
  /** What has been announced, so a repeated sync tells nobody twice. */
  reminded?: boolean;
  escalatedTo?: string[];
}

const dutySchema = new Schema<DutyRow>(
  {
    dutyId: { type: String, required: true, unique: true },
    caseId: { type: String, required: true, index: true },
    caseOpen: { type: Boolean, required: true, default: true },
    name: String,
    studentNo: { type: String, required: true },
    ...placeFields({ classIndex: true }),
    kind: { type: String, required: true },
    holders: { type: [String], required: true, index: true },
    day: String,
    openAt: { type: Date, required: true },
    remindAt: Date,
    dueAt: { type: Date, required: true },
    status: { type: String, required: true, index: true },
    metBy: String,
    metAt: Date,
    onBehalfOf: String,
    late: Boolean,
    streak: Number,
    overdueSince: Date,
    reminded: Boolean,
    escalatedTo: { type: [String], default: undefined, index: true },
  },
  { versionKey: false, collection: 'duties' },
);

/** 家访 records (二(一)2(3)): who went, whom, when, what was found and agreed. */
export interface HomeVisitRow extends VisitParts {
  visitId: string;
  studentNo: string;
  caseId?: string;
  visitor: string;
  at: Date;
  record: string;
  /** A card click "已家访": the visit counts once; the record is completed by the next 家访. */
  pending?: boolean;
  channel: string;
  /** Where the student was then (issue #13: progress by class/grade/school counted in the DB). */
  schoolCode?: string;
  classId?: string;
  grade?: number;
  /** The structured record (issue #13, VisitParts); `record` keeps the free text. */
  visitedOn?: string;
}

const visitSchema = new Schema<HomeVisitRow>(
  {
    visitId: { type: String, required: true, unique: true },
    studentNo: { type: String, required: true, index: true },
    caseId: String,
    visitor: { type: String, required: true, index: true },
    at: { type: Date, required: true },
    record: { type: String, required: true },
    pending: Boolean,
    channel: { type: String, required: true },
    schoolCode: { type: String, index: true },
    classId: String,
    grade: Number,
    visitedOn: String,
    how: String,
    whom: String,
    companions: String,
    found: String,
    agreed: String,
    nextContact: String,
  },
  { versionKey: false, collection: 'home_visits' },
);

export const Case = defineModel<CaseRow>('Case', caseSchema);
export const CaseFact = defineModel<FactRow>('CaseFact', factSchema);
export const Duty = defineModel<DutyRow>('Duty', dutySchema);
export const HomeVisit = defineModel<HomeVisitRow>('HomeVisit', visitSchema);
