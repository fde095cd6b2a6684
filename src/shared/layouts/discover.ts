/**
 * Finding a named pyramid among objects: probe the descriptor candidates
 * (tile-root.ts) through an injected reader, parse the first that exists, and
 * settle what the descriptor leaves open (a vips google pyramid's tile size
 * from `blank.png`, its format from the level-0 tile). Pure apart from the
 * reader, so the companion (any object source), the CLI (a folder or bucket)
 * and tests share it.
 */
import { TileError } from '../errors.ts';
import { TILE_EXTENSIONS, type TileExtension } from '../tile-key.ts';
import { descriptorError, parseDescriptor, type DescriptorKind } from './descriptor.ts';
import type { Pyramid } from './pyramid.ts';
import { descriptorCandidates, pngSize } from './tile-root.ts';

export interface StoredObject {
  readonly bytes: Uint8Array;
  /** The store's ETag (quoted or not), or null when it gives none. */
  readonly etag: string | null;
}

/** Reads one object by key; null when it does not exist. Errors other than absence should throw. */
export type ObjectReader = (key: string) => Promise<StoredObject | null>;

export interface FoundPyramid {
  readonly dataset: string;
  readonly kind: DescriptorKind;
  readonly pyramid: Pyramid;
  /** Prefix of every tile key (ends in `/`). */
  readonly root: string;
  readonly descriptorKey: string;
  /** Changes whenever the descriptor changes: the own schema's `version`, else from the descriptor's ETag (or bytes). */
  readonly version: string;
  /** vips google: the object served for tiles vips skipped as blank. */
  readonly blankKey?: string;
  readonly iiifId?: string;
}

/** Probes the candidates of `dataset` in order (only those that may be `kind`, when given); null when none exists. */
export async function findPyramid(dataset: string, read: ObjectReader, kind?: DescriptorKind): Promise<FoundPyramid | null> {
  for (const candidate of descriptorCandidates(dataset, kind)) {
    const object = await read(candidate.key);
    if (!object) continue;
    const text = new TextDecoder().decode(object.bytes);
    let google: { tileSize: number; format: TileExtension } | undefined;
    let blankKey: string | undefined;
    if (candidate.kinds.includes('vips-google')) {
      blankKey = `${candidate.root}blank.png`;
      const blank = await read(blankKey);
      const size = blank && pngSize(blank.bytes);
      if (!size) throw descriptorError(candidate.key, `it sits in a folder without ${blankKey}, so it is not a vips --layout google pyramid; run tile-accelerator describe ${dataset}`);
      google = { tileSize: size.width, format: await probeFormat(`${candidate.root}0/0/0`, read, candidate.key) };
    }
    const descriptor = parseDescriptor(candidate.key, text, google);
    if (!candidate.kinds.includes(descriptor.kind)) throw descriptorError(candidate.key, `it describes a ${descriptor.kind} pyramid, which does not belong at this name`);
    return {
      dataset,
      kind: descriptor.kind,
      pyramid: descriptor.pyramid,
      root: candidate.root,
      descriptorKey: candidate.key,
      version: descriptor.version ?? versionFromEtag(object),
      ...(blankKey ? { blankKey } : {}),
      ...(descriptor.iiifId ? { iiifId: descriptor.iiifId } : {}),
    };
  }
  return null;
}

async function probeFormat(base: string, read: ObjectReader, file: string): Promise<TileExtension> {
  for (const ext of TILE_EXTENSIONS) if (await read(`${base}.${ext}`)) return ext;
  throw descriptorError(file, `its level-0 tile ${base}.jpg (or .png, .webp) is missing`);
}

/** A short cache version from the descriptor: its ETag without quotes, else an FNV-1a hash of its bytes. */
export function versionFromEtag(object: StoredObject): string {
  const bare = (object.etag ?? '').replace(/^W\//, '').replace(/"/g, '');
  if (/^[A-Za-z0-9._-]{1,64}$/.test(bare)) return bare;
  let hash = 0x811c9dc5;
  for (const byte of object.bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  for (const char of bare) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `d${object.bytes.length.toString(16)}-${hash.toString(16)}`;
}

/** The 404 for a name with no descriptor, saying where the accelerator looked and what to do. */
export function noPyramid(dataset: string): TileError {
  const looked = descriptorCandidates(dataset).map((c) => c.key);
  return new TileError(
    'NOT_FOUND',
    `Dataset "${dataset}" does not exist: none of ${looked.join(', ')} was found. For a bare {z}/{x}/{y} folder run "tile-accelerator describe ${dataset}".`,
  );
}
