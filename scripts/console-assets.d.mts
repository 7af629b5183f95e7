/** See console-assets.mjs. */
export function consoleAssets(): { contents: string; files: string[] };
