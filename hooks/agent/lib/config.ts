// The options the host passes at init (rpc `init`), kept in one place for every module.

export type HookKind = "data" | "consent" | "lifecycle" | "permission" | "component" | "pinning" | "crypto" | "http" | "tls";

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

/** One hooked native function, as listed in hooks/hooklist.json: libc reads (kind data) or TLS (kind tls). */
export interface NativeHookSpec {
  module: string;
  symbol: string;
  data_type: string | null;
  handler: string;
  kind?: "data" | "tls";
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
  /** Bytes of each crypto op's input and output sent to the host (the whole is counted and hashed). */
  captureBytes: number;
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
  captureBytes: 65536,
  appPackage: "",
};

export function configure(options: Partial<AgentConfig>): void {
  Object.assign(config, options);
}
