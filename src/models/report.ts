import { Schema } from 'mongoose';
import { defineModel } from '../db/model';

/** A school's report for one period (monthly dropouts, quarterly enrollment changes). */
const reportSchema = new Schema<ReportDoc>(
  {
    key: { type: String, required: true, unique: true },
    schoolCode: { type: String, required: true, index: true },
    kind: { type: String, enum: ['monthly', 'quarterly'], required: true },
    period: { type: String, required: true, index: true },
    label: { type: String, required: true },
    dueAt: { type: Date, required: true },
    status: { type: String, enum: ['open', 'submitted', 'late'], required: true },
    /** The figures as submitted (a snapshot: later changes do not rewrite a submitted report). */
    content: { type: String },
    submittedBy: String,
    submittedAt: Date,
    /** Quarterly: the roll when submitted; the next quarter's start is checked against it. */
    onRollEnd: Number,
  },
  { versionKey: false, collection: 'reports' },
);

export const Report = defineModel<ReportDoc>('Report', reportSchema);

export interface ReportDoc {
  key: string;
  schoolCode: string;
  kind: 'monthly' | 'quarterly';
  period: string;
  label: string;
  dueAt: Date;
  status: 'open' | 'submitted' | 'late';
  content?: string;
  submittedBy?: string;
  submittedAt?: Date;
  onRollEnd?: number;
}
