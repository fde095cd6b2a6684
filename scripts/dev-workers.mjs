// `npm run dev:workers`: the companion as a Cloudflare Worker, locally in
// workerd (wrangler dev), serving the demo too. Builds the page, makes the
// sample tiles if missing, fills the persisted local R2 bucket from
// data/tiles (skipped for datasets already there), then runs wrangler dev on
// PORT (default 8788) and HOST (default 127.0.0.1). Extra arguments go to
// the fill script, e.g. `npm run dev:workers -- sample` fills only `sample`.
import { execFileSync, spawn } from 'node:child_process';

const port = process.env.PORT ?? '8788';
const host = process.env.HOST ?? '127.0.0.1';
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit' });

run('npm', ['run', '--silent', 'sample', '--', '--if-missing']);
run('npx', ['vite', 'build', '--logLevel', 'warn']);
run('node', ['scripts/fill-local-r2.mjs', ...process.argv.slice(2)]);
console.log(`Open http://${host}:${port}/ (the Worker in workerd; compare: /?accelerator=off)`);
const dev = spawn('npx', ['wrangler', 'dev', '--port', port, '--ip', host], {
  stdio: 'inherit',
  env: { WRANGLER_SEND_METRICS: 'false', ...process.env },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => dev.kill(signal));
dev.on('exit', (code) => process.exit(code ?? 0));
