/**
 * The sustained-rate baseline's second stage (SPEC §11 "trivial HTTP poster"), in its own process:
 * consumes `<prefix>.deliver.<channel>` from the WorkQueue deliver stream through the channel's
 * durable pull consumer, parses the channel message, POSTs a small JSON body (`title` = the
 * event's `data.title`, the event id, the delivery id) to the sink over a keep-alive connection
 * pool, and acks after the sink answered 2xx (nak otherwise). No validation, no database, no
 * signing. Same in-flight bound as a plugin's default (16).
 *
 * argv: <nats url> <prefix> <channel> <sink url> [concurrency]. Prints "ready" once consuming;
 * SIGTERM stops it.
 */
import { Agent, request } from 'node:http';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { topology } from '@herald/contracts';

const [url, prefix, channel, sinkUrl, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText ?? 16);
const topo = topology({ prefix });
const target = new URL(sinkUrl);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const decoder = new TextDecoder();

const nc = await connect({ servers: url, name: 'bench-poster' });
const js = jetstream(nc);
const consumer = await js.consumers.get(topo.streams.deliver.name, channel);

function post(body) {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode >= 200 && res.statusCode < 300 ? resolve() : reject(new Error(`sink ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function deliver(msg) {
  const message = JSON.parse(decoder.decode(msg.data));
  await post(JSON.stringify({ title: message.event.data.title, event_id: message.event.id, delivery_id: message.delivery_id }));
  msg.ack();
}

let inFlight = 0;
const waiters = [];
let stopping = false;
const messages = await consumer.consume({ max_messages: concurrency });
process.once('SIGTERM', () => {
  stopping = true;
  void messages.close();
});
process.stdout.write('ready\n');
for await (const msg of messages) {
  if (stopping) break;
  if (inFlight >= concurrency) await new Promise((resolve) => waiters.push(resolve));
  inFlight++;
  deliver(msg)
    .catch((error) => {
      process.stderr.write(`post failed: ${error.message}\n`);
      msg.nak(100);
    })
    .finally(() => {
      inFlight--;
      waiters.shift()?.();
    });
}
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
await nc.drain();
agent.destroy();
process.exit(0);
