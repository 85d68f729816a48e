import { Schema } from 'mongoose';
import { defineModel } from '../db/model';
import type { EnrollmentStatus, Role, SchoolKind } from '../domain/roster';

export interface SchoolRow {
  code: string;
  name: string;
  kind: SchoolKind;
}
export interface ClassRow {
  classId: string;
  schoolCode: string;
  grade: number;
  classNo: number;
  name: string;
}
export interface StaffRow {
  userid: string;
  name: string;
  roles: Role[];
}
export interface GuardianRow {
  name: string;
  relation: string;
  phoneSealed: string;
}
export interface StudentRow {
  studentNo: string;
  name: string;
  gender: '男' | '女';
  birthDate: string;
  schoolCode: string;
  grade: number;
  classId: string;
  status: EnrollmentStatus;
  guardians: GuardianRow[];
  addressSealed?: string;
  atRisk?: boolean;
  atRiskLeader?: string | null;
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
    schoolCode: { type: String, required: true, index: true },
    grade: { type: Number, required: true },
    classId: { type: String, required: true, index: true },
    status: { type: String, required: true, default: 'enrolled' },
    guardians: { type: [guardianSchema], default: [] },
    addressSealed: { type: String },
    atRisk: { type: Boolean, default: false },
    atRiskLeader: { type: String },
  },
  { versionKey: false, collection: 'students' },
);

export const School = defineModel<SchoolRow>('School', schoolSchema);
export const SchoolClass = defineModel<ClassRow>('SchoolClass', classSchema);
export const Staff = defineModel<StaffRow>('Staff', staffSchema);
export const Student = defineModel<StudentRow>('Student', studentSchema);
