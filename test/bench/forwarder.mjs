/**
 * The throughput baseline of SPEC §11: a trivial JetStream forwarder, run as its own process like
 * the gateway. It consumes the events stream of a prefix through a durable pull consumer, publishes
 * FANOUT channel-message-sized messages per event (pipelined, `Nats-Msg-Id` and the same two headers
 * the gateway sets) to `<prefix>.deliver.<channel>`, waits for every PubAck, then acks the event.
 * No validation, no rules, no database. Same in-flight bound as the gateway (32 events).
 *
 * argv: <nats url> <prefix> <fanout> [concurrency] [channel]. With `channel`, every message goes to
 * `<prefix>.deliver.<channel>` (the sustained-rate baseline: fan-out 1 to the poster); without it,
 * the messages cycle over the five channels. Prints "ready" once consuming; SIGTERM stops it.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { MESSAGE_HEADERS, topology } from '@herald/contracts';

const [url, prefix, fanoutText, concurrencyText, onlyChannel] = process.argv.slice(2);
const fanout = Number(fanoutText);
const concurrency = Number(concurrencyText ?? 32);
const topo = topology({ prefix });
const CHANNELS = ['alert', 'mail', 'slack', 'msteams', 'webhooks'];
const decoder = new TextDecoder();

const nc = await connect({ servers: url, name: 'bench-forwarder' });
const js = jetstream(nc);
const consumer = await js.consumers.get(topo.gatewayConsumer.stream, topo.gatewayConsumer.durable);

let inFlight = 0;
let waiters = [];
let stopping = false;

async function forward(msg) {
  const raw = decoder.decode(msg.data);
  const id = msg.headers?.get('Nats-Msg-Id') || String(msg.seq);
  const acks = [];
  for (let i = 0; i < fanout; i++) {
    const channel = onlyChannel || CHANNELS[i % CHANNELS.length];
    const deliveryId = `${id}:${channel}:fwd-${i}`;
    const h = natsHeaders();
    h.set(MESSAGE_HEADERS.eventId, id);
    h.set(MESSAGE_HEADERS.eventType, msg.subject.slice(msg.subject.lastIndexOf('.') + 1));
    const body =
      `{"delivery_id":${JSON.stringify(deliveryId)},"channel":"${channel}","destination":{"scope":"system"},` +
      `"site_url":"http://localhost:8080","event_label":"Scan Added","event":${raw}}`;
    acks.push(js.publish(topo.subjects.deliver(channel), body, { msgID: deliveryId, headers: h }));
  }
  await Promise.all(acks);
  msg.ack();
}

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
  forward(msg)
    .catch((error) => {
      process.stderr.write(`forward failed: ${error.message}\n`);
      msg.nak(100);
    })
    .finally(() => {
      inFlight--;
      waiters.shift()?.();
    });
}
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
await nc.drain();
process.exit(0);
