import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

/** 入学注册 (二(三)2(3)): a student confirmed present at the start of a semester, by whom. */
export interface RegistrationRow {
  key: string;
  studentNo: string;
  classId: string;
  semester: string;
  confirmedBy: string;
  at: Date;
}

const schema = new Schema<RegistrationRow>(
  {
    key: { type: String, required: true, unique: true },
    studentNo: { type: String, required: true },
    classId: { type: String, required: true, index: true },
    semester: { type: String, required: true, index: true },
    confirmedBy: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false, collection: 'registrations' },
);

export const Registration = defineModel<RegistrationRow>('Registration', schema);
