#!/usr/bin/env node
// `npx herald …`: Herald's command line. Compiled from cli/src (run `npm run build` first).
import { main } from '../dist/herald.js';

process.exitCode = await main(process.argv.slice(2), process.env);
