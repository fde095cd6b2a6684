/**
 * The command table: one entry per `tile-accelerator` command, with the text
 * `--help` prints. Each command's module is imported only when it runs, so
 * `--help`, `--version` and `serve` never load sharp, and a missing optional
 * dependency fails only the command that needs it.
 */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The synopsis after `tile-accelerator `. */
  usage: string;
  /** Flags and notes for `tile-accelerator <name> --help`. */
  details: string;
  run(args: string[]): Promise<void>;
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'serve',
    summary: 'run the companion (tile API) with the demo page',
    usage: 'serve [--port N] [--host H] [--tiles-dir DIR] [--r2-public-url URL | --use-s3 --s3-endpoint-url URL --bucket NAME] [--static-dir DIR] [--quiet]',
    details: `Serves /api/tiles/... and, beside it, the demo page (or --static-dir: your built page and worker).
Each flag overrides the environment variable of the same name (docs/companion.md):
  --port PORT (8787, 0 = any free port)   --host HOST (127.0.0.1)   --tiles-dir TILES_DIR (data/tiles)
  --r2-public-url R2_PUBLIC_URL   --use-s3 USE_S3   --s3-endpoint-url S3_ENDPOINT_URL   --bucket AWS_BUCKET_NAME
  --tile-cache-max-bytes TILE_CACHE_MAX_BYTES   --upstream-connections UPSTREAM_CONNECTIONS
  --upstream-timeout-ms UPSTREAM_TIMEOUT_MS   --cors-origins CORS_ORIGINS
Secrets come from the environment only: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AUTH_TOKEN, ADMIN_TOKEN.
--quiet: no per-request log lines.`,
    run: async (args) => (await import('./serve-command.ts')).run(args),
  },
  {
    name: 'tile',
    summary: 'cut one big image into a dataset folder (needs sharp)',
    usage: 'tile <image> --dataset NAME [--out DIR] [--layout own|zxy|dzi] [--format jpg|png|webp] [--quality N] [--tile-size N] [--overlap N] [--force]',
    details: `Writes a pyramid into DIR (DIR: $TILES_DIR or data/tiles):
  --layout own  DIR/NAME/{z}/{x}/{y}.{format} and info.json (default; 256 px, overlap 0)
  --layout zxy  the same tiles, no descriptor (describe writes one later)
  --layout dzi  DIR/NAME.dzi and DIR/NAME_files/{level}/{x}_{y}.{format}, as vips dzsave writes it (254 px, overlap 1)
--quality 82 (jpg, webp)   --tile-size and --overlap default per layout   --force replaces a folder tiled from another image.
Needs the optional dependency sharp: npm install sharp.`,
    run: async (args) => (await import('./tile-command.ts')).run(args),
  },
  {
    name: 'upload',
    summary: 'upload a dataset folder to an R2 bucket',
    usage: 'upload <dataset> [--from DIR]',
    details: `Uploads the pyramid <dataset> of any layout (own, DZI NAME.dzi + NAME_files/, IIIF, Zoomify, vips google,
described z/x/y) from DIR (DIR: $TILES_DIR or data/tiles), its descriptor last; a rerun skips what is there.
Fails, naming them, when the folder holds image files that are no tile of the pyramid.
Environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_BUCKET_NAME, S3_ENDPOINT_URL, R2_UPLOAD_MAX_WORKERS (20).`,
    run: async (args) => (await import('./upload-command.ts')).run(args),
  },
  {
    name: 'describe',
    summary: 'write the descriptor of a bare z/x/y pyramid, inferred from its files',
    usage: 'describe <dataset> [--from DIR | --bucket] [--layout zxy|xyz] [--force]',
    details: `Infers levels from the keys and the size from the edge tiles, then writes DIR/<dataset>/info.json
(with --bucket: reads and writes the bucket, with upload's environment variables).
--layout zxy ({z}/{x}/{y}, default) or xyz ({z}/{y}/{x})   --force replaces an existing info.json.`,
    run: async (args) => (await import('./describe-command.ts')).run(args),
  },
  {
    name: 'sample',
    summary: 'make the demo datasets sample and mixed (needs sharp)',
    usage: 'sample [--out DIR] [--if-missing]',
    details: `Writes the deterministic 16384x16384 sample and mixed datasets into DIR ($TILES_DIR or data/tiles).
--if-missing: do nothing when both exist. Needs the optional dependency sharp: npm install sharp.`,
    run: async (args) => (await import('./sample-command.ts')).run(args),
  },
];
