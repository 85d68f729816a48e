import mongoose from 'mongoose';

// jongodb has no `create` command; MongoDB creates collections on first insert anyway.
mongoose.set('autoCreate', false);
mongoose.set('strictQuery', true);

export async function connectDb(uri: string): Promise<typeof mongoose> {
  await mongoose.connect(uri, { serverSelectionTimeoutMS: 10000 });
  // Build indexes (unique indexes carry the exactly-once guarantees).
  await Promise.all(Object.values(mongoose.models).map((m) => m.init()));
  return mongoose;
}

export async function pingDb(): Promise<boolean> {
  try {
    await mongoose.connection.db!.admin().command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

/** The same server with another database name (the embedded server's URI carries its own path). */
export function withDbName(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

/** MongoDB's duplicate-key error (E11000): how unique indexes say "this happened already". */
export function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number }).code === 11000;
}
