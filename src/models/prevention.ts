import { Schema } from 'mongoose';
import { defineModel, placeFields } from '../db/model';
import type { Place } from '../domain/roster';

/**
 * Prevention (issue #13, 二(一)2(2), 二(一)2(3), 二(二)1(1)). `at_risk` is the register of
 * at-risk students (易辍对象) and the truth about the flag: chat proposes and confirms, an
 * import only adds rows with source 'import' and must not remove a chat-registered one
 * silently. `students.atRisk` / `atRiskLeader` are a copy the register writes, for the readers
 * that predate it (the ladder's leader visit, 查, 我的学生, 概况).
 */
export interface AtRiskRow extends Place {
  studentNo: string;
  status: 'proposed' | 'confirmed' | 'removed';
  source: 'chat' | 'import';
  reasons: string[];
  difficulties?: string;
  support?: string;
  proposedBy: string;
  proposedAt: Date;
  confirmedBy?: string;
  confirmedAt?: Date;
  /** The second owner (双包保): a leader of the school; absent → the grade leader stands in. */
  leader?: string | null;
  lastContactAt?: Date;
  /** When both owners are next reminded to make contact. */
  contactDueAt?: Date | null;
  /** Contact due and reminded; the rhythm lapses (a visit duty) at `lapseAt`. */
  lapseAt?: Date | null;
  /** The sweeper's index: the earlier of contactDueAt and lapseAt. */
  wakeAt?: Date | null;
  removedAt?: Date;
  removedBy?: string;
  removedReason?: string;
}

const atRiskSchema = new Schema<AtRiskRow>(
  {
    studentNo: { type: String, required: true, unique: true },
    ...placeFields({ classIndex: true }),
    status: { type: String, required: true, index: true },
    source: { type: String, required: true },
    reasons: { type: [String], default: [] },
    difficulties: String,
    support: String,
    proposedBy: { type: String, required: true },
    proposedAt: { type: Date, required: true },
    confirmedBy: String,
    confirmedAt: Date,
    leader: { type: String, default: null },
    lastContactAt: Date,
    contactDueAt: Date,
    lapseAt: Date,
    wakeAt: { type: Date, index: true },
    removedAt: Date,
    removedBy: String,
    removedReason: String,
  },
  { versionKey: false, collection: 'at_risk' },
);

/** A visit duty from a lapsed contact rhythm (访在前、防在先); met by the next visit record. */
export interface ContactDutyRow extends Place {
  dutyId: string;
  studentNo: string;
  holders: string[];
  openAt: Date;
  dueAt: Date;
  status: 'open' | 'met';
  metBy?: string;
  metAt?: Date;
}

const contactDutySchema = new Schema<ContactDutyRow>(
  {
    dutyId: { type: String, required: true, unique: true },
    studentNo: { type: String, required: true, index: true },
    ...placeFields(),
    holders: { type: [String], required: true, index: true },
    openAt: { type: Date, required: true },
    dueAt: { type: Date, required: true },
    status: { type: String, required: true },
    metBy: String,
    metAt: Date,
  },
  { versionKey: false, collection: 'contact_duties' },
);

/** 备注: a note in a student's file (档案). Append-only. */
export interface StudentNoteRow extends Place {
  noteId: string;
  studentNo: string;
  author: string;
  at: Date;
  text: string;
}

const noteSchema = new Schema<StudentNoteRow>(
  {
    noteId: { type: String, required: true, unique: true },
    studentNo: { type: String, required: true, index: true },
    schoolCode: { type: String, required: true },
    classId: { type: String, required: true },
    grade: { type: Number, required: true },
    author: { type: String, required: true },
    at: { type: Date, required: true },
    text: { type: String, required: true },
  },
  { versionKey: false, collection: 'student_notes' },
);

/** The open guided exchange after `家访 <学生> …`: one per sender; the next reply answers `asking`. */
export interface VisitDraftRow {
  userid: string;
  visitId: string;
  studentName: string;
  asking: string;
  expiresAt: Date;
}

const draftSchema = new Schema<VisitDraftRow>(
  {
    userid: { type: String, required: true, unique: true },
    visitId: { type: String, required: true },
    studentName: { type: String, required: true },
    asking: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, collection: 'visit_drafts' },
);

/** A reminder due at a time (a visit's next contact date): sent once by the sweeper. */
export interface ReminderRow {
  key: string;
  to: string[];
  dueAt: Date;
  text: string;
  sent: boolean;
}

const reminderSchema = new Schema<ReminderRow>(
  {
    key: { type: String, required: true, unique: true },
    to: { type: [String], required: true },
    dueAt: { type: Date, required: true, index: true },
    text: { type: String, required: true },
    sent: { type: Boolean, required: true, index: true },
  },
  { versionKey: false, collection: 'reminders' },
);

/**
 * 责任书 signed this school year: a guardian with the school (party = 学籍号), a leader or
 * teacher with the principal, a principal with the bureau (party = userid).
 */
export interface LetterRow {
  schoolYear: number;
  kind: 'guardian' | 'staff' | 'principal';
  party: string;
  schoolCode: string;
  classId?: string;
  grade?: number;
  recordedBy: string;
  at: Date;
}

const letterSchema = new Schema<LetterRow>(
  {
    schoolYear: { type: Number, required: true },
    kind: { type: String, required: true },
    party: { type: String, required: true },
    schoolCode: { type: String, required: true, index: true },
    classId: String,
    grade: Number,
    recordedBy: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'responsibility_letters' },
);
letterSchema.index({ schoolYear: 1, kind: 1, party: 1 }, { unique: true });

/** A campaign-month checklist item ticked for a class (活动月 已完成 家长会). */
export interface CampaignTickRow extends Place {
  month: string;
  item: string;
  by: string;
  at: Date;
}

const tickSchema = new Schema<CampaignTickRow>(
  {
    month: { type: String, required: true },
    classId: { type: String, required: true },
    schoolCode: { type: String, required: true, index: true },
    grade: { type: Number, required: true },
    item: { type: String, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'campaign_ticks' },
);
tickSchema.index({ month: 1, classId: 1, item: 1 }, { unique: true });

export const AtRisk = defineModel<AtRiskRow>('AtRisk', atRiskSchema);
export const ContactDuty = defineModel<ContactDutyRow>('ContactDuty', contactDutySchema);
export const StudentNote = defineModel<StudentNoteRow>('StudentNote', noteSchema);
export const VisitDraft = defineModel<VisitDraftRow>('VisitDraft', draftSchema);
export const Reminder = defineModel<ReminderRow>('Reminder', reminderSchema);
export const Letter = defineModel<LetterRow>('Letter', letterSchema);
export const CampaignTick = defineModel<CampaignTickRow>('CampaignTick', tickSchema);
