/**
 * The broadcast baseline of SPEC §11, in its own process like the gateway: the same NATS client
 * library publishes COUNT channel messages of the gateway's shape and size (personal alert
 * destination, the event embedded, `Nats-Msg-Id` and the same two headers) pipelined — every
 * PubAck collected, then awaited — to `<prefix>.deliver.alert`. RUNS times; prints one JSON line
 * `{ "runs_ms": [...] }`. argv: <nats url> <prefix> <count> <runs> [window]. With `window`, at most
 * that many PubAcks are outstanding (refilled by half a window, as the gateway's publisher does);
 * without it every publish is in flight at once.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { MESSAGE_HEADERS, topology } from '@herald/contracts';

const [url, prefix, countText, runsText, windowText] = process.argv.slice(2);
const count = Number(countText);
const runs = Number(runsText);
const window = windowText === undefined ? Number.POSITIVE_INFINITY : Number(windowText);
const topo = topology({ prefix });
const nc = await connect({ servers: url, name: 'bench-publisher' });
const js = jetstream(nc);
const DESCRIPTION = 'Benchmark scan import with a description of realistic length. '.repeat(4);
const runsMs = [];
for (let run = 0; run < runs; run++) {
  const eventId = `bl-${run}-${Date.now()}`;
  const eventJson = JSON.stringify({
    specversion: '1.0',
    id: eventId,
    source: 'bench',
    type: 'engagement_added',
    time: new Date().toISOString(),
    data: {
      title: `Broadcast ${run}`,
      description: DESCRIPTION,
      product: { id: '9999', name: 'Everyone', product_type_id: '9999' },
      engagement: { id: `e${run}`, name: `Engagement ${run}`, product_id: '9999' },
    },
  });
  const started = performance.now();
  const send = (i) => {
    const deliveryId = `${eventId}:alert:user-${i}`;
    const h = natsHeaders();
    h.set(MESSAGE_HEADERS.eventId, eventId);
    h.set(MESSAGE_HEADERS.eventType, 'engagement_added');
    const destination = {
      scope: 'personal',
      user: { id: String(i), username: `user${i}`, email: `user${i}@bench.example`, full_name: `Bench User ${i}` },
    };
    const body =
      `{"delivery_id":${JSON.stringify(deliveryId)},"channel":"alert","destination":${JSON.stringify(destination)},` +
      `"site_url":"http://localhost:8080","event_label":"Engagement Added","event":${eventJson}}`;
    // a generous PubAck timeout: with many publishes in flight on a loaded machine the last acks come late
    return js.publish(topo.subjects.deliver('alert'), body, { msgID: deliveryId, headers: h, timeout: 120_000 });
  };
  if (!Number.isFinite(window)) {
    const acks = [];
    for (let i = 1; i <= count; i++) acks.push(send(i));
    await Promise.all(acks);
  } else {
    await new Promise((resolve, reject) => {
      let next = 1;
      let inFlight = 0;
      const fill = () => {
        while (inFlight < window && next <= count) {
          inFlight++;
          send(next++).then(() => {
            inFlight--;
            if (next > count) {
              if (inFlight === 0) resolve();
            } else if (inFlight <= window / 2) fill();
          }, reject);
        }
      };
      fill();
    });
  }
  runsMs.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, 200));
}
process.stdout.write(`${JSON.stringify({ runs_ms: runsMs })}\n`);
await nc.drain();
