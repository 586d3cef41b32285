// Bundles the extension and vscode-languageclient into dist/extension.js with esbuild.
//   node scripts/build.mjs               a development build, with source maps
//   node scripts/build.mjs --production  minified, without source maps (for the .vsix)
//   node scripts/build.mjs --watch       rebuilds on change
import * as esbuild from "esbuild";

const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

const options = {
  entryPoints: ["src/extension.ts"],
  bundle: true,
  outfile: "dist/extension.js",
  external: ["vscode"],
  format: "cjs",
  platform: "node",
  target: "node18",
  minify: production,
  sourcemap: !production,
  logLevel: "info",
};

if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
} else {
  await esbuild.build(options);
}
