import mongoose, { type Model, type Schema } from 'mongoose';

/**
 * Declares a typed model once. Re-importing a module (tsx watch, a test re-requiring a file)
 * must not redefine it, hence the lookup; the type parameter is the document's shape, so
 * queries and `.lean()` results are checked instead of `any`.
 */
export function defineModel<T>(name: string, schema: Schema<T>): Model<T> {
  return (mongoose.models[name] as Model<T> | undefined) ?? mongoose.model<T>(name, schema);
}
