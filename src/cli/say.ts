import { Command } from 'commander';
import { readSandboxHandoff } from '../sandbox-handoff';

/** `npm run say -- --as zhangsan 帮助`: talk to a running sandbox as any member. */
const program = new Command()
  .name('say')
  .description('以某个成员的身份向沙盒里的保学助手发消息（走真实的加密回调）')
  .requiredOption('--as <userid>', '成员的企业微信 userid')
  .option(
    '--url <url>',
    '沙盒地址',
    // The running sandbox writes its address (.sandbox/), so another PORT needs no flag here.
    process.env.BAOXUE_URL ??
      readSandboxHandoff()?.url ??
      `http://127.0.0.1:${process.env.PORT ?? 3000}`,
  )
  .argument('<text...>', '消息内容')
  .action(async (words: string[], opts: { as: string; url: string }) => {
    try {
      const res = await fetch(`${opts.url}/sandbox/say`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ as: opts.as, text: words.join(' ') }),
      });
      const body = (await res.json()) as { reply?: string | null; error?: string };
      if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
      process.stdout.write(`${body.reply ?? '（已受理，回复将通过推送送达）'}\n`);
    } catch (err) {
      process.stderr.write(`发送失败：${(err as Error).message}。沙盒在运行吗？（npm start）\n`);
      process.exitCode = 1;
    }
  });

program.parseAsync();
