import { spawn } from 'node:child_process';

/** One request that a load generator repeats: its method, path, headers and body. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string | number>;
  body?: string;
}

/**
 * Requests per second that 8 keep-alive clients get from a server on 127.0.0.1 for `seconds` (after half a second of
 * warm-up), from a separate process so that the clients do not share the server's event loop; and the CPU time this
 * process (the server's, in the benchmarks) spent per request answered meanwhile. Every answer must be 200.
 *
 * @example
 * const { rate, cpuUs } = await keepAliveLoad(port, { method: 'GET', path: '/api/v1/host', headers: {} }, 3);
 */
export function keepAliveLoad(
  port: number,
  request: LoadRequest,
  seconds: number,
): Promise<{ rate: number; cpuUs: number }> {
  const script = `
    import { request, Agent } from 'node:http';
    const [port, spec, seconds] = [Number(process.argv[1]), JSON.parse(process.argv[2]), Number(process.argv[3])];
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const headers = { ...spec.headers };
    if (spec.body !== undefined) headers['Content-Length'] = Buffer.byteLength(spec.body);
    const one = () => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: spec.path, method: spec.method, agent, headers }, (res) => {
        res.resume(); res.on('end', () => res.statusCode === 200 ? resolve() : reject(new Error('HTTP ' + res.statusCode)));
      });
      req.on('error', reject); req.end(spec.body);
    });
    let done = 0; let all = 0; let counting = false;
    const end = Date.now() + 500 + seconds * 1000;
    setTimeout(() => { counting = true; }, 500);
    const worker = async () => { while (Date.now() < end) { await one(); all++; if (counting) done++; } };
    await Promise.all(Array.from({ length: 8 }, worker));
    process.stdout.write(done / seconds + ' ' + all);
    agent.destroy();`;
  const c0 = process.cpuUsage();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      script,
      String(port),
      JSON.stringify(request),
      String(seconds),
    ]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(err || `load generator exited ${code}`));
      const [rate, all] = out.split(' ').map(Number) as [number, number];
      const c = process.cpuUsage(c0);
      resolve({ rate, cpuUs: (c.user + c.system) / all });
    });
  });
}
