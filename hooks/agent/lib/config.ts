// The options the host passes at init (rpc `init`), kept in one place for every module.

export type HookKind = "data" | "consent" | "lifecycle" | "permission" | "pinning";

/** One hooked Java method, as listed in hooks/hooklist.json (the single source of truth). */
export interface JavaHookSpec {
  class: string;
  method: string;
  data_type: string | null;
  category: string;
  kind: HookKind;
  handler?: string;
  group?: string;
  option?: string;
}

/** One hooked native function (libc), as listed in hooks/hooklist.json. */
export interface NativeHookSpec {
  module: string;
  symbol: string;
  data_type: string;
  handler: string;
}

export interface AgentConfig {
  java: JavaHookSpec[];
  native: NativeHookSpec[];
  unpin: boolean;
  canary: Record<string, string>;
  agreeWords: string[];
  refuseWords: string[];
  consentMaxLength: number;
  batchIntervalMs: number;
  batchMaxEvents: number;
  maxStackFrames: number;
  /** The audited app's package: its own package is not "probing" (package_probe). */
  appPackage: string;
}

export const config: AgentConfig = {
  java: [],
  native: [],
  unpin: false,
  canary: {},
  agreeWords: [],
  refuseWords: [],
  consentMaxLength: 16,
  batchIntervalMs: 50,
  batchMaxEvents: 200,
  maxStackFrames: 48,
  appPackage: "",
};

export function configure(options: Partial<AgentConfig>): void {
  Object.assign(config, options);
}
