import { EVENT_CATALOGUE, parseEvent } from '@herald/contracts';
import { buildSnapshot, route } from '../../gateway/dist/routing/index.js';
const EMPTY_ROW = Object.fromEntries(EVENT_CATALOGUE.map((type) => [type.name, []]));
const SUB = { ...EMPTY_ROW, scan_added: ['alert', 'mail'] };
const N = 100000,
  C = +process.argv[2];
const input = {
  users: [],
  productTypes: [{ id: '1', name: 't' }],
  products: [
    { id: '1', name: 'p', product_type_id: '1' },
    { id: '2', name: 'p', product_type_id: '1' },
  ],
  productMembers: [],
  productTypeMembers: [],
  eventTypes: EVENT_CATALOGUE,
  system: EMPTY_ROW,
  personal: [],
  productSettings: [],
  channels: [{ name: 'mail', enabled: true, has_system_destination: true }],
  systemMailRecipients: [],
  systemLevelTrump: [],
};
for (let i = 1; i <= N; i++) {
  const id = String(i);
  input.users.push({
    id,
    username: 'u' + i,
    email: `u${i}@x.y`,
    full_name: 'U',
    active: true,
    superuser: false,
    global_role: null,
    slack_email: null,
  });
  input.productMembers.push({ scope_id: i <= C ? '1' : '2', user_id: id, role: null });
  input.personal.push({ user_id: id, events: i <= C ? SUB : EMPTY_ROW });
}
const s = buildSnapshot(input);
const ev = parseEvent(
  Buffer.from(JSON.stringify({ specversion: '1.0', id: 'e', source: 'b', type: 'scan_added', data: { product: { id: '1', name: 'p' } } })),
  { maxBytes: 1e6, now: new Date() },
).event;
for (let k = 0; k < 3; k++) {
  const t = performance.now();
  let n = 0;
  while (performance.now() - t < 1000) {
    route(ev, s, { siteUrl: 'http://x' });
    n++;
  }
  console.log(C, 'us/cand', ((((performance.now() - t) / n) * 1000) / C).toFixed(3));
}
