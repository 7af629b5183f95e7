/** The Console page's script and style, bundled by scripts/build.mjs from src/console/page/. */
declare module 'console-assets' {
  export const APP_JS: string;
  export const APP_CSS: string;
}
