import mongoose, { Schema } from 'mongoose';

/** Thin models for the roster; the rules live in src/domain. Keys are the natural ones. */
const schoolSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    kind: { type: String, enum: ['primary', 'junior', 'nineYear'], required: true },
  },
  { versionKey: false, collection: 'schools' },
);

const classSchema = new Schema(
  {
    classId: { type: String, required: true, unique: true },
    schoolCode: { type: String, required: true, index: true },
    grade: { type: Number, required: true },
    classNo: { type: Number, required: true },
    name: { type: String, required: true },
  },
  { versionKey: false, collection: 'classes' },
);

const roleSchema = new Schema(
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

const staffSchema = new Schema(
  {
    userid: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    roles: { type: [roleSchema], default: [] },
  },
  { versionKey: false, collection: 'staff' },
);
staffSchema.index({ 'roles.schoolCode': 1 });
staffSchema.index({ 'roles.classId': 1 });

const guardianSchema = new Schema(
  {
    name: { type: String, required: true },
    relation: { type: String, required: true },
    /** AES-256-GCM sealed (src/lib/pii.ts); never stored in plaintext. */
    phoneSealed: { type: String, required: true },
  },
  { _id: false },
);

const studentSchema = new Schema(
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

export const School = mongoose.models.School ?? mongoose.model('School', schoolSchema);
export const SchoolClass =
  mongoose.models.SchoolClass ?? mongoose.model('SchoolClass', classSchema);
export const Staff = mongoose.models.Staff ?? mongoose.model('Staff', staffSchema);
export const Student = mongoose.models.Student ?? mongoose.model('Student', studentSchema);
