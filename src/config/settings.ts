import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './env';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD');
const days = z.number().int().min(0).max(10);
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');

/** A scheduled notice in the bureau's name: on/off, the time of day, the text ({期间}…). */
const scheduledNotice = z.object({
  enabled: z.boolean(),
  at: hhmm,
  template: z.string().min(1).max(600),
});
const SCHEDULED_DEFAULTS = {
  monthlyReminder: {
    enabled: true,
    at: '09:00',
    template:
      '您校{期间}流失生月报尚未上报，截止时间为{截止}。请核对后发送「提交月报」上报区教体局。',
  },
  quarterlyReminder: {
    enabled: true,
    at: '09:00',
    template:
      '您校{期间}学籍变动季报尚未上报，截止时间为{截止}。请核对后发送「提交季报」上报区教体局。',
  },
  campaignKickoff: {
    enabled: false,
    at: '08:30',
    template: '{月份}是控辍保学活动月，请组织告家长书、家长会、集中家访和责任书签订。',
  },
  visitRound: {
    enabled: false,
    at: '08:30',
    template: '{名称}开始，请各位老师按要求完成家访，发送「我的家访」查看名单。',
  },
};

export const settingsSchema = z.object({
  timeZone: z.literal('Asia/Shanghai'),
  calendar: z.object({
    semesters: z.array(z.object({ name: z.string(), start: isoDate, end: isoDate })).min(1),
    holidays: z.array(isoDate).default([]),
    workdays: z.array(isoDate).default([]),
    closures: z.array(isoDate).default([]),
  }),
  ladder: z.object({
    headTeacherVisitWithinSchoolDays: days,
    leaderVisitWithinSchoolDays: days,
    persuasionReminderEverySchoolDays: z.number().int().min(1).max(20),
    confirmAwayEverySchoolDays: z.number().int().min(1).max(20),
    decideAfterSchoolDays: z.number().int().min(1).max(60),
    decideWithinSchoolDays: days,
    govReportWithinSchoolDays: days,
    placementWithinSchoolDays: days,
    transferConfirmWithinSchoolDays: z.number().int().min(1).max(30),
    longAbsenceSchoolDays: z.number().int().min(1).max(200),
    /** 0 turns the 入学注册关 check off (e.g. a district that registers students elsewhere). */
    registrationCheckSchoolDay: z.number().int().min(0).max(20),
    morningCheckAt: hhmm,
    confirmAttendanceBy: hhmm,
    endOfDayAt: hhmm,
    reminderHoursBeforeDeadline: z.number().min(0).max(24),
    undoWindowMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60),
    returnCheckInWeeks: z.number().int().min(0).max(12),
    sweepEverySeconds: z.number().min(1).max(3600),
    digestOver: z.number().int().min(1).max(50),
    /**
     * Sweep pushes avoid WeCom's busy :00 and :30 marks (issue #11): one made in a mark's first
     * `afterMarkMinutes` goes out `afterMarkMinutes` + up to `spreadMinutes` after it, spread by
     * recipient. Deadlines keep the rule's time; only the push moves. 0 and 0: no shift.
     */
    pushTiming: z
      .object({
        marks: z.array(z.number().int().min(0).max(59)),
        afterMarkMinutes: z.number().int().min(0).max(15),
        spreadMinutes: z.number().int().min(0).max(15),
      })
      .default({ marks: [0, 30], afterMarkMinutes: 1, spreadMinutes: 4 }),
  }),
  quotas: z.object({
    headTeacherVisitsPerSemester: z.number().int().min(0),
    subjectTeacherVisitsPerSemester: z.number().int().min(0),
  }),
  reports: z.object({
    monthlyDueDay: z.number().int().min(1).max(28),
    quarterlyDueDay: z.number().int().min(1).max(28),
    campaignMonths: z.array(z.number().int().min(1).max(12)),
  }),
  /** Prevention (issue #13): contact rhythm of at-risk students, visit-round windows. */
  prevention: z
    .object({
      contactEveryDays: z.number().int().min(1).max(90),
      lapseAfterDays: z.number().int().min(0).max(30),
      sweepEverySeconds: z.number().min(1).max(3600),
      roundStartDays: z.number().int().min(1).max(60),
      roundEndDays: z.number().int().min(1).max(60),
    })
    .default({
      contactEveryDays: 14,
      lapseAfterDays: 3,
      sweepEverySeconds: 60,
      roundStartDays: 14,
      roundEndDays: 14,
    }),
  callback: z.object({
    timestampWindowSeconds: z.number().int().min(1),
    maxBodyBytes: z.number().int().min(1024),
    passiveReplyBudgetMs: z.number().int().min(100).max(4500),
    /** A delivery still `received` after this long is handled again on WeCom's retry. */
    leaseSeconds: z.number().int().min(1).max(600).default(4),
  }),
  /** Days after which delivery records and sent pushes (with their sealed content) are purged. */
  retention: z
    .object({
      inboundDays: z.number().int().min(1).max(3650).default(30),
      outboxDays: z.number().min(1).default(30),
    })
    .default({ inboundDays: 30, outboxDays: 30 }),
  notifications: z.object({ cards: z.boolean() }).default({ cards: true }),
  /** Broadcasts (issue #12): how long a preview waits for 发送, and the scheduled notices. */
  broadcasts: z
    .object({
      draftHours: z.number().min(0.1).max(168).default(24),
      scheduled: z
        .object({
          monthlyReminder: scheduledNotice,
          quarterlyReminder: scheduledNotice,
          campaignKickoff: scheduledNotice,
          visitRound: scheduledNotice,
        })
        .default(SCHEDULED_DEFAULTS),
    })
    .default({ draftHours: 24, scheduled: SCHEDULED_DEFAULTS }),
  outbox: z
    .object({
      pumpEverySeconds: z.number().min(0.05),
      backoffBaseSeconds: z.number().min(0),
      /** Transient errors are retried for ever; the wait between tries grows up to this. */
      maxBackoffSeconds: z.number().min(1).default(600),
      /** An administrator is told once when a push has waited this long. */
      alertAfterMinutes: z.number().min(1).default(30),
      /** message/send's own duplicate check (WeCom allows at most 4 hours). */
      duplicateCheckSeconds: z.number().int().min(1).max(14400).default(14400),
      requestTimeoutSeconds: z.number().min(0.1).default(10),
      /** A row claimed for sending longer than this belongs to a crashed pump and is retried. */
      sendLeaseSeconds: z.number().min(1).default(120),
      perMinute: z.number().int().min(1),
      perHour: z.number().int().min(1),
    })
    .refine((o) => o.sendLeaseSeconds > o.requestTimeoutSeconds, {
      message: 'sendLeaseSeconds must be longer than requestTimeoutSeconds',
    }),
  /** WeCom userids told about delivery trouble (none: log and metric only). */
  operations: z.object({ admins: z.array(z.string().min(1)).default([]) }).default({ admins: [] }),
  /** A job run's claim lasts this long unless renewed; a crashed run is re-run after it. */
  jobs: z.object({ leaseSeconds: z.number().min(1).default(60) }).default({ leaseSeconds: 60 }),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Loads config/default.json (or BAOXUE_CONFIG) and validates it; errors name the bad key. */
export function loadSettings(
  file = process.env.BAOXUE_CONFIG ?? path.join(__dirname, '../../config/default.json'),
): Settings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read settings file ${file}: ${(err as Error).message}`);
  }
  const result = settingsSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid settings in ${file}:\n${lines.join('\n')}`);
  }
  return result.data;
}
