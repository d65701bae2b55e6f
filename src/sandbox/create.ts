// Builds the configured sandbox provider from the `sandbox` config section (used by cli/ and server/).
import type { SandboxConfig } from '../config/sections/sandbox.js';
import type { SandboxProviderName } from '../contracts/index.js';
import { createDaytonaSandbox } from './daytona/daytona-sandbox.js';
import { createIsolateSandbox } from './isolate/isolate-sandbox.js';
import { createProcessSandbox } from './process/process-sandbox.js';
import type { Sandbox } from './sandbox.js';

/** Throws SANDBOX_UNAVAILABLE when the provider cannot run here (no bwrap, no Daytona key). */
export function createSandboxFromConfig(
  config: SandboxConfig,
  provider: SandboxProviderName = config.provider,
): Sandbox {
  const defaults = {
    timeoutMs: config.timeoutMs,
    memoryMb: config.memoryMb,
    maxOutputChars: config.maxOutputChars,
  };
  switch (provider) {
    case 'isolate':
      return createIsolateSandbox({ defaults, poolSize: config.poolSize });
    case 'process':
      return createProcessSandbox({ defaults, poolSize: config.poolSize });
    case 'daytona':
      return createDaytonaSandbox({
        apiKey: config.daytonaApiKey ?? '',
        ...(config.daytonaApiUrl ? { apiUrl: config.daytonaApiUrl } : {}),
        ...(config.daytonaTarget ? { target: config.daytonaTarget } : {}),
        ...(config.daytonaSnapshot ? { snapshot: config.daytonaSnapshot } : {}),
        ...(config.daytonaImage ? { image: config.daytonaImage } : {}),
        autoStopIntervalMinutes: config.daytonaAutoStopMinutes,
        autoDeleteIntervalMinutes: config.daytonaAutoDeleteMinutes,
        defaults,
      });
  }
}
