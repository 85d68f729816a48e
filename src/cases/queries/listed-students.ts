import { Student } from '../../models/roster';

/** A duty or case row: who it is about, and the name its sync copied onto it (if it did). */
interface AboutStudent {
  studentNo: string;
  schoolCode: string;
  name?: string;
}

/**
 * Who each listed row is about, for displayNames: the name its sync copied onto it; a row
 * written before rows carried names has its student read (one find, only then). A student
 * the roster no longer has is left out (the lists say 已转出).
 */
export async function listedStudents(
  list: AboutStudent[],
): Promise<{ studentNo: string; name: string; schoolCode: string }[]> {
  const missing = list.filter((d) => !d.name).map((d) => d.studentNo);
  const read = missing.length ? await Student.find({ studentNo: { $in: missing } }).lean() : [];
  const byNo = new Map(read.map((s) => [s.studentNo, s.name]));
  return list.flatMap((d) => {
    const name = d.name ?? byNo.get(d.studentNo);
    return name ? [{ studentNo: d.studentNo, name, schoolCode: d.schoolCode }] : [];
  });
}
