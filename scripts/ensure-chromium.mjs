// Playwright drives Debian's Chromium (its own browser download cannot work
// here). Install it when missing and we are root; otherwise say what to do.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(path)) {
  if (process.getuid?.() === 0) {
    console.log(`${path} is missing; installing Debian's chromium package with apt-get…`);
    execSync('apt-get update && apt-get install -y chromium', { stdio: 'inherit' });
  } else {
    console.error(`${path} is missing. Install the Debian package "chromium" (sudo apt-get install -y chromium), or set CHROMIUM_PATH.`);
    process.exit(1);
  }
}
