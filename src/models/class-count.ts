import { Schema } from 'mongoose';
import { defineModel, placeFields } from '../db/model';
import { ENROLLMENT_STATUSES, type EnrollmentStatus, type Place } from '../domain/roster';

/**
 * One row per class: how many of its students are in each enrollment status, and how many
 * enrolled ones are at risk (易辍). Kept beside the roster by `recountClasses`
 * (src/roster/counts.ts) whenever students are written, so 我的学生, 概况 and 巩固率 read one
 * row per class (or one per school, grouped) instead of every student in scope (issue #11:
 * a command costs the same at 200 and 56,000 students).
 */
export interface ClassCountRow extends Place, Record<EnrollmentStatus, number> {
  /** Every student of the class, whatever the status. */
  total: number;
  /** Enrolled and flagged at risk. */
  atRisk: number;
}

const counters = Object.fromEntries(
  [...ENROLLMENT_STATUSES, 'total', 'atRisk'].map((k) => [k, { type: Number, default: 0 }]),
);

const classCountSchema = new Schema<ClassCountRow>(
  { ...placeFields(), ...counters },
  { versionKey: false, collection: 'class_counts' },
);
classCountSchema.index({ classId: 1 }, { unique: true, name: 'one_row_per_class' });

export const ClassCount = defineModel<ClassCountRow>('ClassCount', classCountSchema);
