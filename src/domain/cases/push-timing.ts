const STEP_S = 10;

export interface PushTiming {
  marks: number[];
  afterMarkMinutes: number;
  spreadMinutes: number;
}

/**
 * When a sweep's push to `recipient` should go out (issue #11, "Timing of pushes"): WeCom asks
 * senders to avoid the :00 and :30 marks, when pushes queue up. A push made in a mark's first
 * `afterMarkMinutes` leaves at mark + afterMarkMinutes + a per-recipient share of
 * `spreadMinutes` (in 10-second steps, stable per recipient, so one person's pushes stay in order);
 * any other push leaves now. Pure: `now` and the recipient decide.
 */
export function pushTime(now: Date, recipient: string, t: PushTiming): Date {
  if (t.afterMarkMinutes <= 0 && t.spreadMinutes <= 0) return now;
  const minute = Math.floor(now.getTime() / 60_000);
  // Marks are minutes of the hour; every zone Baoxue serves has whole-hour offsets (+08:00).
  const ofHour = ((minute % 60) + 60) % 60;
  const mark = t.marks.find((m) => {
    const since = (ofHour - m + 60) % 60;
    return since < Math.max(1, t.afterMarkMinutes);
  });
  if (mark === undefined) return now;
  const since = (ofHour - mark + 60) % 60;
  const markAt = (minute - since) * 60_000;
  const spreadS = t.spreadMinutes * 60;
  // In 10-second steps: spread enough for WeCom, few enough due times for the outbox's rounds.
  const steps = Math.floor(spreadS / STEP_S);
  const share = steps ? (fnv1a(recipient) % steps) * STEP_S : 0;
  const at = markAt + t.afterMarkMinutes * 60_000 + share * 1000;
  return new Date(Math.max(at, now.getTime()));
}

/** FNV-1a: a stable 32-bit hash of the recipient (spreads members over the window). */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
