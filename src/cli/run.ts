import type { Command } from 'commander';

/** Runs a CLI program: a failure prints 「出错了：…」 and sets exit code 1. */
export function runProgram(program: Command): void {
  program.parseAsync().catch((err: Error) => {
    console.error(`出错了：${err.message}`);
    process.exitCode = 1;
  });
}
