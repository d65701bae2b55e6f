// Types of sucrase's internal parser entry (it ships types under dist/types, which the deep path misses).
declare module 'sucrase/dist/parser/index.js' {
  export interface SucraseToken {
    start: number;
    end: number;
    identifierRole: number | null;
    scopeDepth: number;
  }
  export function parse(
    input: string,
    isJSXEnabled: boolean,
    isTypeScriptEnabled: boolean,
    isFlowEnabled: boolean,
  ): { tokens: SucraseToken[] };
}
