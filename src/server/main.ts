/**
 * `npm start`: the companion on PORT (default 8787) serving the built demo
 * and the tiles of TILES_DIR (default data/tiles).
 */
import { LocalFolderSource } from './sources/local-folder.ts';
import { startCompanion } from './node-server.ts';

const port = Number(process.env.PORT ?? 8787);
const tilesDir = process.env.TILES_DIR ?? 'data/tiles';

const companion = await startCompanion({
  source: new LocalFolderSource(tilesDir),
  port,
  host: process.env.HOST ?? '127.0.0.1',
  staticDir: 'dist',
});
console.log(`tile-accelerator companion: tiles from ${tilesDir}`);
console.log(`Open ${companion.url}/ (compare: ${companion.url}/?accelerator=off)`);
