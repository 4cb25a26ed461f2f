/**
 * Memory baseline: a bare Node process holding one NATS connection and doing nothing else. Its RSS
 * is the floor any Herald process starts from. argv: <nats url>. SIGTERM stops it.
 */
import { connect } from '@nats-io/transport-node';

const nc = await connect({ servers: process.argv[2], name: 'bench-idle' });
process.stdout.write('ready\n');
const keepAlive = setInterval(() => undefined, 1_000);
process.once('SIGTERM', () => {
  clearInterval(keepAlive);
  void nc.close().then(() => process.exit(0));
});
