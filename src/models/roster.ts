import { Schema } from 'mongoose';
import { defineModel, placeFields } from '../db/model';
import type { Place, Role, SchoolKind, StaffLike, StudentLike } from '../domain/roster';
import { pinyinOf } from '../domain/resolve';

export interface SchoolRow {
  code: string;
  name: string;
  kind: SchoolKind;
}
export interface ClassRow extends Place {
  classNo: number;
  name: string;
}
export type StaffRow = StaffLike;
export interface GuardianRow {
  name: string;
  relation: string;
  phoneSealed: string;
}
/** Who a student is and where, the same in the roster and in an import row (roster/validate). */
export interface StudentBase extends Omit<StudentLike, 'atRisk' | 'atRiskLeader'> {
  gender: '男' | '女';
  birthDate: string;
}
export interface StudentRow extends StudentBase {
  guardians: GuardianRow[];
  addressSealed?: string;
  atRisk?: boolean;
  atRiskLeader?: string | null;
  /** Toneless pinyin of `name` (issue #11: near matches by index); set on every write. */
  namePinyin?: string;
  /** Which key function wrote `namePinyin` (ensureStudentKeys recomputes older ones). */
  keyVersion?: number;
}

/** Thin models for the roster; the rules live in src/domain. Keys are the natural ones. */
const schoolSchema = new Schema<SchoolRow>(
  {
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    kind: { type: String, enum: ['primary', 'junior', 'nineYear'], required: true },
  },
  { versionKey: false, collection: 'schools' },
);

const classSchema = new Schema<ClassRow>(
  {
    classId: { type: String, required: true, unique: true },
    schoolCode: { type: String, required: true, index: true },
    grade: { type: Number, required: true },
    classNo: { type: Number, required: true },
    name: { type: String, required: true },
  },
  { versionKey: false, collection: 'classes' },
);

const roleSchema = new Schema<Role>(
  {
    role: { type: String, required: true },
    schoolCode: String,
    grade: Number,
    classId: String,
    subject: String,
    students: { type: [String], default: undefined },
  },
  { _id: false },
);

const staffSchema = new Schema<StaffRow>(
  {
    userid: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    roles: { type: [roleSchema], default: [] },
  },
  { versionKey: false, collection: 'staff' },
);
staffSchema.index({ 'roles.schoolCode': 1 });
staffSchema.index({ 'roles.classId': 1 });
staffSchema.index({ 'roles.role': 1 }); // the bureau, found by role (chainStaff)

const guardianSchema = new Schema<GuardianRow>(
  {
    name: { type: String, required: true },
    relation: { type: String, required: true },
    /** AES-256-GCM sealed (src/lib/pii.ts); never stored in plaintext. */
    phoneSealed: { type: String, required: true },
  },
  { _id: false },
);

const studentSchema = new Schema<StudentRow>(
  {
    studentNo: { type: String, required: true, unique: true },
    name: { type: String, required: true, index: true },
    gender: { type: String, enum: ['男', '女'], required: true },
    birthDate: { type: String, required: true },
    ...placeFields({ classIndex: true }),
    status: { type: String, required: true, default: 'enrolled' },
    guardians: { type: [guardianSchema], default: [] },
    addressSealed: { type: String },
    atRisk: { type: Boolean, default: false },
    atRiskLeader: { type: String },
    namePinyin: { type: String },
    keyVersion: { type: Number },
  },
  { versionKey: false, collection: 'students' },
);
studentSchema.index({ namePinyin: 1, schoolCode: 1 });
studentSchema.index({ schoolCode: 1, name: 1 });
addStudentKeyHooks(studentSchema);

export const School = defineModel<SchoolRow>('School', schoolSchema);
export const SchoolClass = defineModel<ClassRow>('SchoolClass', classSchema);
export const Staff = defineModel<StaffRow>('Staff', staffSchema);
export const Student = defineModel<StudentRow>('Student', studentSchema);

/** Bump when `studentKeys` changes: ensureStudentKeys() then recomputes every stored key. */
export const STUDENT_KEY_VERSION = 1;

/** The lookup keys stored beside a student's name (issue #11 item 1). */
export function studentKeys(name: string): { namePinyin: string; keyVersion: number } {
  return { namePinyin: pinyinOf(name), keyVersion: STUDENT_KEY_VERSION };
}

type Loose = Record<string, unknown>;

/** Adds the keys to an update that sets `name` (top level or in `$set`). */
function keyUpdate(update: Loose | undefined): void {
  if (!update || Array.isArray(update)) return;
  const set = update.$set as Loose | undefined;
  const name = (set?.name ?? update.name) as unknown;
  if (typeof name !== 'string') return;
  update.$set = { ...(set ?? {}), ...studentKeys(name) };
}

function keyDoc(doc: Loose | undefined): void {
  if (doc && typeof doc.name === 'string') Object.assign(doc, studentKeys(doc.name));
}

/**
 * Whatever writes a student through the model (the roster import, ops, tests, benches) stores
 * the keys with the name; ensureStudentKeys() catches rows written around the model.
 */
function addStudentKeyHooks(schema: Schema<StudentRow>): void {
  schema.pre('save', function () {
    if (this.isModified('name') || !this.namePinyin) Object.assign(this, studentKeys(this.name));
  });
  schema.pre('insertMany', function (docs: unknown) {
    for (const d of Array.isArray(docs) ? docs : [docs]) keyDoc(d as Loose);
  });
  schema.pre(['updateOne', 'updateMany', 'findOneAndUpdate'], function () {
    keyUpdate((this.getUpdate() as Loose | null) ?? undefined);
  });
  schema.pre('replaceOne', function () {
    keyDoc((this.getUpdate() as Loose | null) ?? undefined);
  });
  schema.pre('bulkWrite', function (ops: unknown) {
    for (const op of ops as Record<string, Loose>[]) {
      keyDoc(op.insertOne?.document as Loose | undefined);
      keyDoc(op.replaceOne?.replacement as Loose | undefined);
      keyUpdate((op.updateOne ?? op.updateMany)?.update as Loose | undefined);
    }
  });
}
