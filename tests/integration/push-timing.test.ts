import nock from 'nock';
import {
  startBot,
  mockWecom,
  setupNock,
  advance,
  testSettings,
  type TestBot,
} from '../support/harness';
import { demo } from '../support/demo';
import { ManualClock } from '../../src/lib/clock';
import { OutboxMessage } from '../../src/outbox/model';
import { pushTime } from '../../src/domain/cases/push-timing';

/**
 * Issue #11, "Timing of pushes": WeCom asks senders to avoid the :00 and :30 minute marks.
 * The 08:30 morning check's pushes leave spread over 08:31–08:35 (per recipient); the duty's
 * own time stays the rule's. Other pushes (a reply, a push made at 08:37) leave at once.
 */
const timing = { marks: [0, 30], afterMarkMinutes: 1, spreadMinutes: 4 };
const at = (iso: string) => new Date(`${iso}+08:00`);

describe('push timing off the :00/:30 marks (issue #11)', () => {
  it('moves a push made in a mark minute into mark+1 … mark+5, stable per recipient', () => {
    const made = at('2026-11-30T08:30:20');
    const times = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((u) => pushTime(made, u, timing));
    for (const t of times) {
      expect(t.getTime()).toBeGreaterThanOrEqual(at('2026-11-30T08:31:00').getTime());
      expect(t.getTime()).toBeLessThan(at('2026-11-30T08:35:00').getTime());
    }
    expect(new Set(times.map((t) => t.getTime())).size).toBeGreaterThan(1);
    expect(pushTime(made, 'u1', timing)).toEqual(times[0]);
    expect(pushTime(at('2026-11-30T18:00:05'), 'u1', timing).getTime()).toBeGreaterThanOrEqual(
      at('2026-11-30T18:01:00').getTime(),
    );
  });

  it('leaves pushes made off the marks, and with no spread configured, at once', () => {
    const made = at('2026-11-30T08:37:00');
    expect(pushTime(made, 'u1', timing)).toEqual(made);
    const mark = at('2026-11-30T08:30:00');
    expect(pushTime(mark, 'u1', { ...timing, afterMarkMinutes: 0, spreadMinutes: 0 })).toEqual(
      mark,
    );
  });

  describe('the morning check through the sweep', () => {
    let bot: TestBot;
    let wecom: ReturnType<typeof mockWecom>;
    let d: Awaited<ReturnType<typeof demo>>;
    beforeAll(async () => {
      setupNock();
      wecom = mockWecom();
      const settings = testSettings((s) => (s.ladder.pushTiming = timing));
      bot = await startBot({ clock: new ManualClock('2026-11-27T10:00:00+08:00'), settings });
      d = await demo(bot);
    });
    afterAll(async () => {
      await bot.close();
      nock.cleanAll();
    });

    it("an absence on Friday: Monday's 08:30 check card is sent at 08:31–08:35, not at 08:30", async () => {
      const reply = (await bot.say(`缺勤 ${d.plain.name} 全天`, d.subject.userid)).reply ?? '';
      expect(reply).toMatch(/已记录/);
      await advance(bot, '2026-11-30T08:30:00+08:00');
      wecom.sent.length = 0;
      await advance(bot, '2026-11-30T08:30:59+08:00');
      expect(wecom.to(d.head.userid)).toHaveLength(0); // queued, not sent on the mark
      const rows = await OutboxMessage.find({ recipient: d.head.userid, status: 'pending' }).lean();
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(
          at('2026-11-30T08:31:00').getTime(),
        );
        expect(r.nextAttemptAt.getTime()).toBeLessThan(at('2026-11-30T08:35:00').getTime());
      }
      for (let m = 31; m <= 35; m++) await advance(bot, `2026-11-30T08:${m}:00+08:00`);
      expect(wecom.to(d.head.userid).length).toBeGreaterThan(0);
      const sent = await OutboxMessage.find({ recipient: d.head.userid, status: 'sent' }).lean();
      for (const r of sent.filter((x) => x.createdAt >= at('2026-11-30T08:30:00')))
        expect(r.sentAt!.getTime()).toBeGreaterThanOrEqual(at('2026-11-30T08:31:00').getTime());
    });
  });
});
