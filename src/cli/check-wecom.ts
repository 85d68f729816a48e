import type { Command } from 'commander';
import mongoose from 'mongoose';
import { connectDb } from '../db/connect';
import { Staff } from '../models/roster';
import { WecomClient } from '../wecom/client';
import { mongoTokenStore } from '../wecom/token-store';
import { readSandboxHandoff } from '../sandbox-handoff';

/**
 * `npm run roster -- check-wecom`: the roster's staff against the corp's contacts. A userid
 * WeCom does not know is silently dropped by message/send (the push "succeeds"), so a typo in
 * the roster means a teacher never hears of a duty. Lists those, and corp members with no
 * roster entry. Exit code 1 when any staff member is unknown to WeCom.
 */
export interface WecomCheck {
  staff: number;
  corp: number;
  via: 'department' | 'list_id';
  unknownToWecom: { userid: string; name: string }[];
  notInRoster: string[];
}

export async function checkWecom(client: WecomClient): Promise<WecomCheck> {
  const staff = await Staff.find({}).sort({ userid: 1 }).lean();
  const { userids, via } = await client.contactUserIds();
  const corp = new Set(userids);
  const roster = new Set(staff.map((p) => p.userid));
  return {
    staff: staff.length,
    corp: corp.size,
    via,
    unknownToWecom: staff
      .filter((p) => !corp.has(p.userid))
      .map((p) => ({ userid: p.userid, name: p.name })),
    notInRoster: [...corp].filter((u) => !roster.has(u)).sort(),
  };
}

export function describeCheck(c: WecomCheck): string {
  const source = c.via === 'department' ? '应用可见范围' : '成员ID列表';
  const lines = [`花名册教职工 ${c.staff} 人；企业微信通讯录（${source}）成员 ${c.corp} 人。`];
  if (c.unknownToWecom.length) {
    lines.push(
      `企业微信不认识的教职工 ${c.unknownToWecom.length} 人（发给他们的消息会被企业微信` +
        '直接丢弃，且不报错）：',
    );
    for (const p of c.unknownToWecom) lines.push(`  ${p.name}（${p.userid}）`);
    lines.push('请在花名册中改正这些账号（企业微信管理后台「通讯录」中的账号），然后重新导入。');
  } else {
    lines.push('花名册中的教职工在企业微信里都找得到。');
  }
  if (c.notInRoster.length) {
    lines.push(`企业微信中有、花名册中没有的成员 ${c.notInRoster.length} 人：`);
    for (const u of c.notInRoster) lines.push(`  ${u}`);
    lines.push('如果他们需要使用保学，请把他们加入花名册。');
  }
  return lines.join('\n');
}

interface Target {
  uri: string;
  wecom: { apiBase: string; corpId: string; agentId: string; secret: string };
}

/** MONGODB_URI and the WECOM_* app credentials, or the running sandbox's. */
function target(): Target {
  const e = process.env;
  const handoff = readSandboxHandoff();
  const uri = e.MONGODB_URI || handoff?.mongoUri;
  const wecom = e.WECOM_CORP_ID
    ? {
        apiBase: e.WECOM_API_BASE || 'https://qyapi.weixin.qq.com',
        corpId: e.WECOM_CORP_ID,
        agentId: e.WECOM_AGENT_ID ?? '',
        secret: e.WECOM_SECRET ?? '',
      }
    : handoff?.wecom;
  if (!uri || !wecom) {
    throw new Error(
      '找不到数据库或企业微信应用：请设置 MONGODB_URI 和 WECOM_CORP_ID、WECOM_AGENT_ID、' +
        'WECOM_SECRET，或先用 npm start 启动沙盒。',
    );
  }
  return { uri, wecom };
}

export function registerCheckWecom(program: Command): void {
  program
    .command('check-wecom')
    .description('核对花名册教职工与企业微信通讯录：列出企业微信不认识的账号和未入花名册的成员')
    .action(async () => {
      const { uri, wecom } = target();
      await connectDb(uri);
      try {
        const client = new WecomClient({
          base: wecom.apiBase,
          corpId: wecom.corpId,
          agentId: wecom.agentId,
          secret: wecom.secret,
          store: mongoTokenStore,
        });
        const check = await checkWecom(client);
        console.log(describeCheck(check));
        if (check.unknownToWecom.length) process.exitCode = 1;
      } finally {
        await mongoose.disconnect();
      }
    });
}
