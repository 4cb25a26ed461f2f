/** An HTTP sink on 127.0.0.1 standing in for a Teams Workflows / connector webhook in tests. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TeamsPost {
  readonly at: number;
  readonly path: string;
  readonly contentType: string;
  readonly body: unknown;
}

/** Scripted answers for the next requests; then 202 Accepted, as Workflows answers. */
export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface TeamsSink {
  readonly url: string;
  readonly posts: TeamsPost[];
  /** Requests answered with a scripted status, with their time. */
  readonly refused: { readonly at: number; readonly status: number }[];
  readonly script: ScriptedResponse[];
  close(): Promise<void>;
}

export async function startTeamsSink(): Promise<TeamsSink> {
  const posts: TeamsPost[] = [];
  const refused: { at: number; status: number }[] = [];
  const script: ScriptedResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const next = script.shift();
      if (next) {
        refused.push({ at: Date.now(), status: next.status });
        res.writeHead(next.status, { ...next.headers });
        res.end(next.body ?? '');
        return;
      }
      posts.push({
        at: Date.now(),
        path: req.url ?? '',
        contentType: req.headers['content-type'] ?? '',
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
      });
      res.writeHead(202);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    refused,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
