import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

/** 义务教育交接 (二(三)2(1)): a primary graduate handed over to a junior middle school. */
const handoffSchema = new Schema<HandoffDoc>(
  {
    key: { type: String, required: true, unique: true },
    studentNo: { type: String, required: true, index: true },
    fromSchool: { type: String, required: true, index: true },
    toSchool: { type: String, required: true, index: true },
    classId: { type: String, required: true },
    year: { type: Number, required: true },
    sentBy: { type: String, required: true },
    sentAt: { type: Date, required: true },
    /** Set by the autumn check once the student is on the junior school's roll. */
    arrivedAt: Date,
    /** The junior school's advance home visit (各初中要提前运作…深入到小学毕业年级学生家中). */
    visitedAt: Date,
    visitedBy: String,
  },
  { versionKey: false, collection: 'handoffs' },
);

export const Handoff = defineModel<HandoffDoc>('Handoff', handoffSchema);

export interface HandoffDoc {
  key: string;
  studentNo: string;
  fromSchool: string;
  toSchool: string;
  classId: string;
  year: number;
  sentBy: string;
  sentAt: Date;
  arrivedAt?: Date;
  visitedAt?: Date;
  visitedBy?: string;
}
