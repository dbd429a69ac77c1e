import { Command } from 'commander';
import { registerConfigCommands } from './configCommands.js';
import { registerDbCommands } from './dbCommands.js';
import { registerResourceCommands } from './resourceCommands.js';
import { registerJobCommands } from './jobCommands.js';
import { registerServeCommand } from './serveCommand.js';
import { registerDemoCommand } from './demo.js';
import { registerSimCommand } from './simCommand.js';
import { registerVerifyCommand } from './verifyCommand.js';

const program = new Command('tricircle')
  .description('Tricircle: one OpenStack API in front of many OpenStack clouds')
  .option('--config-file <path>', 'INI configuration file (default /etc/tricircle/tricircle.conf if it exists)')
  .showHelpAfterError();

registerServeCommand(program);
registerDbCommands(program);
registerConfigCommands(program);
registerResourceCommands(program);
registerJobCommands(program);
registerSimCommand(program);
registerVerifyCommand(program);
registerDemoCommand(program);

await program.parseAsync(process.argv);
