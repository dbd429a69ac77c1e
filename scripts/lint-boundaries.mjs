#!/usr/bin/env node
// npm run lint:boundaries: the rules of .dependency-cruiser.cjs over src/, sim/, test/, bench/ and tools/ (or the folders given).
// Runs dependency-cruiser through its API because its command exits with the number of errors, which a shell
// reads modulo 256: exactly 256 violations would pass.
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const folders = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'sim', 'test', 'bench', 'tools'];
const options = await extractDepcruiseOptions(fileURLToPath(new URL('../.dependency-cruiser.cjs', import.meta.url)));
const result = await cruise(folders, { ...options, outputType: 'err' });
process.stdout.write(result.output);
process.exitCode = result.exitCode === 0 ? 0 : 1;
