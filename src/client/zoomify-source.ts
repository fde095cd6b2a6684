/**
 * OpenSeadragon opens DZI and IIIF descriptors by URL, but a Zoomify
 * `ImageProperties.xml` only as an object: this reads the XML
 * (`<IMAGE_PROPERTIES WIDTH HEIGHT TILESIZE .../>`) into one.
 */
export interface ZoomifyOptions {
  type: 'zoomifytileservice';
  width: number;
  height: number;
  tileSize: number;
  tilesUrl: string;
}

export async function zoomifySource(url: string): Promise<ZoomifyOptions> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}.`);
  const element = new DOMParser().parseFromString(await response.text(), 'application/xml').querySelector('IMAGE_PROPERTIES');
  const [width, height, tileSize] = ['WIDTH', 'HEIGHT', 'TILESIZE'].map((name) => Number(element?.getAttribute(name)));
  if (!element || !(width! > 0 && height! > 0 && tileSize! > 0)) throw new Error(`${url} is not a Zoomify ImageProperties.xml (IMAGE_PROPERTIES with WIDTH, HEIGHT, TILESIZE).`);
  return { type: 'zoomifytileservice', width: width!, height: height!, tileSize: tileSize!, tilesUrl: new URL('./', new URL(url, location.href)).href };
}
