// The process's sandboxes: one per provider, opened on first use from `sandbox` config, closed together.
import type { SandboxConfig } from '../config/index.js';
import type { SandboxProviderName } from '../contracts/index.js';
import { createSandboxFromConfig, type Sandbox } from '../sandbox/index.js';

interface Sandboxes {
  /** The sandbox of `provider` (default: `sandbox.provider`), opened on first use. */
  sandboxFor(provider?: SandboxProviderName): Sandbox;
  close(): Promise<void>;
}

export function openSandboxes(config: SandboxConfig): Sandboxes {
  const opened = new Map<SandboxProviderName, Sandbox>();
  return {
    sandboxFor: (provider = config.provider) => {
      let sandbox = opened.get(provider);
      if (!sandbox) {
        sandbox = createSandboxFromConfig(config, provider);
        opened.set(provider, sandbox);
      }
      return sandbox;
    },
    close: async () => {
      await Promise.all([...opened.values()].map((sandbox) => sandbox.close().catch(() => undefined)));
      opened.clear();
    },
  };
}
