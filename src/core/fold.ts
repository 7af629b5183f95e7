/**
 * The one case folding of substring search, everywhere: the store's trigram index holds text
 * folded this way, searches are folded the same way, and the core folds the same way where it
 * decides a match itself. A search of any length means "the folded field contains the folded text".
 */

/**
 * Lower case (locale-independent), with the final sigma as any other (`ΟΔΟΣ` is `οδοσ`, wherever
 * the Σ stands), composed (NFC), so that a decomposed `Ä` is the same as a composed one.
 */
export function fold(text: string): string {
  // ASCII, the usual text, has neither a final sigma nor anything to compose.
  if (ASCII.test(text)) return text.toLowerCase();
  return text.toLowerCase().replaceAll('ς', 'σ').normalize('NFC');
}

const ASCII = /^[\x00-\x7f]*$/;
