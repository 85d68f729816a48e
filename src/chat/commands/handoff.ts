import type { Command } from '../command';
import type { Handoffs } from '../../reports/handoff';
import { auditHidden } from '../lookup';

/** Chat shells for the graduate handoff (义务教育交接): 毕业交接, 交接家访. */
export function handoffCommands(handoffs: Handoffs): Command[] {
  return [
    {
      name: '毕业交接',
      aliases: ['交接'],
      summary: '（小学校长/分管领导）把六年级毕业生名单交给初中',
      usage:
        '毕业交接 <初中学校> [班级]\n例：毕业交接 珠山区第二中学\n例：毕业交接 珠山区第二中学 六年级1班',
      async run(ctx, args) {
        const [junior = '', cls = ''] = args.split(/\s+/);
        return handoffs.handOver(ctx.actor, junior, cls, ctx.now);
      },
    },
    {
      name: '交接家访',
      aliases: [],
      summary: '（初中老师）记录对交接来的小学毕业生的提前家访',
      usage:
        '交接家访 <学籍号> <记录>\n例：交接家访 G360203201401010001 见到父母，孩子想读初中，家庭经济困难，已告知资助政策',
      async run(ctx, args) {
        const [no = '', ...rest] = args.split(/\s+/);
        // Not handed over to the sender's school: answered as unknown, audited if the student
        // exists (issue #10, authorization).
        const hidden = () => auditHidden(ctx, '交接家访', no);
        return handoffs.advanceVisit(ctx.actor, no, rest.join(' '), ctx.now, hidden);
      },
    },
  ];
}
