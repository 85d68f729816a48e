import type { StaffLike, StudentLike } from './roster';

/**
 * Who may do what, in one place. A subject teacher acts on the students they teach, a head
 * teacher on their class, a grade leader on the grade, deputy and principal on the school;
 * bureau staff read everything and act on reports.
 */
export type Action =
  | 'view' // see a student's card and case
  | 'viewPersonal' // see guardians' phones / home address unmasked
  | 'report' // absence, leave, return, home visit, persuasion
  | 'correct' // correct someone else's record after the undo window
  | 'confirmDropout' // 辍学确认关: principal only
  | 'changeEnrollment' // 学籍变动: transfer out, suspension (head teacher of the class, leaders)
  | 'submitReport' // the school's monthly / quarterly reports
  | 'readDistrict' // district-wide figures
  | 'actOnReports'; // receive and act on school reports

export function canActOnStudent(staff: StaffLike, action: Action, s: StudentLike): boolean {
  return staff.roles.some((r) => {
    switch (r.role) {
      case 'subjectTeacher':
        return (
          ['view', 'viewPersonal', 'report'].includes(action) &&
          r.classId === s.classId &&
          (!r.students?.length || r.students.includes(s.studentNo))
        );
      case 'headTeacher':
        return (
          ['view', 'viewPersonal', 'report', 'changeEnrollment'].includes(action) &&
          r.classId === s.classId
        );
      case 'gradeLeader':
        return (
          ['view', 'viewPersonal', 'report', 'correct', 'changeEnrollment'].includes(action) &&
          r.schoolCode === s.schoolCode &&
          r.grade === s.grade
        );
      case 'deputy':
        return (
          ['view', 'viewPersonal', 'report', 'correct', 'changeEnrollment'].includes(action) &&
          r.schoolCode === s.schoolCode
        );
      case 'principal':
        return (
          [
            'view',
            'viewPersonal',
            'report',
            'correct',
            'confirmDropout',
            'changeEnrollment',
          ].includes(action) && r.schoolCode === s.schoolCode
        );
      case 'bureau':
        // Reads everything, but guardians' phones and addresses only masked.
        return action === 'view';
      default:
        return false;
    }
  });
}

export function canActOnSchool(staff: StaffLike, action: Action, schoolCode: string): boolean {
  return staff.roles.some((r) => {
    if (r.role === 'bureau') return action === 'readDistrict' || action === 'actOnReports';
    if (r.role === 'principal' || r.role === 'deputy')
      return action === 'submitReport' && r.schoolCode === schoolCode;
    return false;
  });
}

/** The polite refusal every denied action gets. */
export function refusal(action: Action): string {
  if (action === 'confirmDropout') return '确认辍学需要由本校校长操作。如情况属实，请联系校长。';
  if (action === 'changeEnrollment') return '学籍变动（转出、休学）由本班班主任或学校领导登记。';
  if (action === 'correct')
    return '更正他人的记录需要年级或学校领导操作。请联系您的年级组长或分管领导。';
  return '抱歉，这名学生不在您负责的范围内，无法操作。如有疑问请联系学校分管领导。';
}
