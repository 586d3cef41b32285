// The plat extension: starts `plat lsp` (the binary named by the `plat.path` setting)
// for `.plat` files and restarts it when the setting changes.

import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function serverOptions(): ServerOptions {
  const configured = vscode.workspace.getConfiguration("plat").get<string>("path");
  const command = configured && configured.trim() !== "" ? configured.trim() : "plat";
  return {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
}

function clientOptions(output: vscode.OutputChannel): LanguageClientOptions {
  return {
    documentSelector: [
      { scheme: "file", language: "plat" },
      { scheme: "untitled", language: "plat" },
    ],
    outputChannel: output,
    // The server registers its own watcher for `**/*.plat` (didChangeWatchedFiles).
  };
}

async function start(context: vscode.ExtensionContext, output: vscode.OutputChannel) {
  const next = new LanguageClient("plat", "plat", serverOptions(), clientOptions(output));
  client = next;
  try {
    await next.start();
  } catch (error) {
    const path = vscode.workspace.getConfiguration("plat").get<string>("path") ?? "plat";
    const message =
      `plat: cannot start the language server \`${path} lsp\`: ${String(error)}. ` +
      "Install plat, or set `plat.path` to the plat binary.";
    void vscode.window.showErrorMessage(message, "Open settings").then((choice) => {
      if (choice === "Open settings") {
        void vscode.commands.executeCommand("workbench.action.openSettings", "plat.path");
      }
    });
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // It may have failed to start; there is nothing to stop then.
    }
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel("plat");
  context.subscriptions.push(output);
  context.subscriptions.push(
    vscode.commands.registerCommand("plat.restartServer", async () => {
      await stop();
      await start(context, output);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("plat.path")) {
        await stop();
        await start(context, output);
      }
    }),
  );
  await start(context, output);
}

export function deactivate(): Promise<void> | undefined {
  return stop();
}
