import mongoose, { type Model, type Schema } from 'mongoose';

/**
 * Declares a typed model once. Re-importing a module (tsx watch, a test re-requiring a file)
 * must not redefine it, hence the lookup; the type parameter is the document's shape, so
 * queries and `.lean()` results are checked instead of `any`.
 */
export function defineModel<T>(name: string, schema: Schema<T>): Model<T> {
  return (mongoose.models[name] as Model<T> | undefined) ?? mongoose.model<T>(name, schema);
}

/**
 * The place fields (school, grade, class) of a row about a student, required and indexed by
 * school: scopeFilter counts and lists by them. `classIndex` also indexes the class.
 */
export function placeFields(opts: { classIndex?: boolean } = {}) {
  return {
    schoolCode: { type: String, required: true, index: true },
    classId: { type: String, required: true, ...(opts.classIndex ? { index: true } : {}) },
    grade: { type: Number, required: true },
  };
}
