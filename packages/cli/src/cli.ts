#!/usr/bin/env node
/**
 * @file The `gcnn` executable: runs {@link main} with the process's argv and streams.
 */
import { processIo } from './io';
import { main } from './main';

const code = await main(process.argv.slice(2), processIo());
process.exitCode = code;
