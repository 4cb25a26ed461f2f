/**
 * Jest setup (every test file): containers started for this file with `TESTCONTAINERS=1` are
 * stopped when the file ends, not only when the worker process exits (testcontainers' reaper).
 * Without the variable nothing was started and this does nothing.
 */
import { afterAll } from '@jest/globals';
import { stopTestContainers } from '../../contracts/src/testing/infrastructure.js';

afterAll(() => stopTestContainers());
