import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { action } from './context.js';
import { simEntryArgv, startSimProcess } from './simProcess.js';
import { waitForSignal } from './serveCommand.js';

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run the pod simulator (Keystone, Glance, and Nova/Cinder/Neutron per pod) on loopback ports')
    .option('--pods <list>', 'pods as REGION:AZ,REGION:AZ', 'Pod1:az1,Pod2:az2')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument(
      '[simulator-options...]',
      'passed to the simulator: --latency Pod1=50, --error-rate Pod1=0.2, --down Pod2, --hang Pod1=5000, --top-compute URL, ' +
        "--dataplane (realise the pods' networking in network namespaces; root, iproute2, nftables), --dataplane-sweep, ...",
    )
    .action(
      action(async (rest: string[], opts: { pods: string }) => {
        if (rest.includes('--dataplane-sweep')) {
          // Not a simulator run: removes what killed runs left, prints what, and exits.
          const child = spawn(process.execPath, [...simEntryArgv(), '--dataplane-sweep'], { stdio: 'inherit' });
          const code = await new Promise<number | null>((r) => child.once('exit', r));
          if (code !== 0) throw new Error(`the dataplane sweep failed (${code})`);
          return;
        }
        const sim = await startSimProcess(['--pods', opts.pods, ...rest]);
        process.stdout.write(`${JSON.stringify(sim.ready, null, 2)}\n`);
        await Promise.race([waitForSignal(), new Promise((r) => sim.child.once('exit', r))]);
        await sim.stop();
      }),
    );
}
