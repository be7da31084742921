#!/usr/bin/env node
/**
 * The only reader of argv and env. Parses the command, runs it, maps failures to exit codes:
 * 0 ok, 1 invalid input (validate) or runtime failure, 2 usage error.
 */
import { readFileSync } from 'node:fs';
import { parseCommand } from './cli/parse-args.js';
import { HELP } from './cli/help.js';
import { runValidate } from './cli/validate-command.js';
import { runKubeInject } from './cli/kube-inject-command.js';
import { runDiscovery } from './bootstrap/discovery.js';
import { createRootLogger } from './bootstrap/logging.js';
import { runAgent } from './agent/agent.js';
import { ErrorCodes, UserError } from './lib/errors.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2), process.env);
  switch (command.name) {
    case 'help':
      process.stdout.write(HELP[command.topic ?? 'root'] ?? HELP.root!);
      return 0;
    case 'version':
      process.stdout.write(`istiod-ts version ${packageVersion()} (node ${process.version})\n`);
      return 0;
    case 'validate': {
      const result = await runValidate(command.files, command.output, command.domain);
      process.stdout.write(result.output);
      return result.exitCode;
    }
    case 'kube-inject': {
      const result = await runKubeInject(command.options, readStdin);
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      return result.exitCode;
    }
    case 'discovery':
      return runDiscovery(command.options, packageVersion());
    case 'agent':
      return runAgent(command.options, createRootLogger(command.logLevels).scoped('agent'));
  }
}

/** After a clean shutdown nothing may keep the daemon alive (e.g. a half-closed client socket). */
const EXIT_GRACE_MS = 2_000;

main().then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  },
  (err: unknown) => {
    if (err instanceof UserError) {
      process.stderr.write(`istiod-ts: ${err.message} (${err.code})\n`);
      process.exitCode = err.code === ErrorCodes.CLI_USAGE || err.code === ErrorCodes.CLI_FLAG ? 2 : 1;
    } else {
      process.stderr.write(`istiod-ts: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
