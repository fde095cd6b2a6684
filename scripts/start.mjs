// `npm start`: build the page and worker, make the sample tiles if missing,
// then run the companion (which prints the URL to open).
import { execSync } from 'node:child_process';

const run = (command) => execSync(command, { stdio: 'inherit' });
run('npm run --silent sample -- --if-missing');
run('npx vite build --logLevel warn');
run('npx tsx src/server/main.ts');
