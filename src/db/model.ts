import mongoose, { type Model, type Schema } from 'mongoose';

/**
 * Declares a typed model once. Re-importing a module (tsx watch, a test re-requiring a file)
 * must not redefine it, hence the lookup; the type parameter is the document's shape, so
 * queries and `.lean()` results are checked instead of `any`.
 *
 * Read with a bare `.lean()` (issue #8): on `Model<Row>` mongoose 9 types it as
 * `Row & { _id: ObjectId } & { __v: number }` (`Default__v<Require_id<Row>>`, no FlattenMaps),
 * which fits wherever a `Row` is needed. A type argument, `.lean<X>()`, is never checked, so
 * none is written; no wrapper is needed either. (`__v` is claimed even for `versionKey: false`
 * schemas; nothing reads it. Declaring the model's lean type as `Require_id<Row>` instead
 * breaks the functions that take a plain `Model<Row>`, so it stays mongoose's default.)
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
