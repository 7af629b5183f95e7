/**
 * The one case folding of substring search. The trigram index holds folded text and the search
 * text is folded the same way, so a search of any length means "the folded field contains the
 * folded text", whether the index answers it (three characters or more) or a scan does.
 */
import type Database from 'better-sqlite3';

export const FOLD_FUNCTION = 'orgs_fold';

/**
 * Lower case (locale-independent), with the final sigma as any other (`ΟΔΟΣ` is `οδοσ`, wherever
 * the Σ stands), composed (NFC), so that a decomposed `Ä` is the same as a composed one.
 */
export function fold(text: string): string {
  return text.toLowerCase().replaceAll('ς', 'σ').normalize('NFC');
}

/** Every connection registers it: the search index's triggers call it on every write. */
export function registerFold(db: Database.Database): void {
  db.function(FOLD_FUNCTION, { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? fold(text) : text,
  );
}
