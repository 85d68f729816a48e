import { Schema } from 'mongoose';
import { defineModel } from '../db/model';
import type { EnrollmentStatus } from '../domain/roster';

/**
 * 学籍变动 (二(三)2(1), 二(三)2(3)): every change of a student's enrollment status or school,
 * append-only, with who, when, where to and the paperwork, so the numbers always reconcile
 * (数字清楚、去向清楚、手续完备).
 */
const changeSchema = new Schema<ChangeInput>(
  {
    studentNo: { type: String, required: true, index: true },
    schoolCode: { type: String, required: true, index: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    /** For transfers: the destination (a school of the district, or a place outside it). */
    destination: String,
    detail: String,
    actor: { type: String, required: true },
    channel: { type: String, required: true },
    at: { type: Date, required: true, index: true },
  },
  { versionKey: false, collection: 'enrollment_changes' },
);

export const EnrollmentChange = defineModel<ChangeInput>('EnrollmentChange', changeSchema);

export interface ChangeInput {
  studentNo: string;
  schoolCode: string;
  from: EnrollmentStatus | 'new';
  to: EnrollmentStatus;
  destination?: string;
  detail?: string;
  actor: string;
  channel: 'wecom' | 'cli' | 'job' | 'sandbox';
  at: Date;
}

export async function recordChange(c: ChangeInput): Promise<void> {
  await EnrollmentChange.create(c);
}
