// Picks the rule that answers a request: the first whose conditions all hold and whose `times` is not used up.
import type { ScriptedMatch, ScriptedRequest, ScriptedRule } from './types.js';

interface RuleBook {
  /** The first matching rule (its use is counted), or undefined. */
  pick(request: ScriptedRequest): { rule: ScriptedRule; label: string } | undefined;
  replace(rules: ScriptedRule[]): void;
}

interface CompiledRule {
  rule: ScriptedRule;
  label: string;
  regex: RegExp | undefined;
  used: number;
}

function compile(rules: ScriptedRule[]): CompiledRule[] {
  return rules.map((rule, index) => {
    let regex: RegExp | undefined;
    if (rule.match?.regex !== undefined) {
      try {
        regex = new RegExp(rule.match.regex);
      } catch (error) {
        throw new Error(
          `scripted model: rule ${rule.name ?? `#${index}`} has a bad regex: ${(error as Error).message}`,
        );
      }
    }
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
      throw new Error(
        `scripted model: rule ${rule.name ?? `#${index}`} has times=${rule.times}; use an integer >= 1`,
      );
    }
    return { rule, label: rule.name ?? `#${index}`, regex, used: 0 };
  });
}

function matches(
  match: ScriptedMatch | undefined,
  regex: RegExp | undefined,
  request: ScriptedRequest,
): boolean {
  if (!match) return true;
  if (match.provider !== undefined && match.provider !== request.provider) return false;
  if (match.model !== undefined && match.model !== request.model) return false;
  const needles =
    match.contains === undefined ? [] : Array.isArray(match.contains) ? match.contains : [match.contains];
  if (!needles.every((needle) => request.text.includes(needle))) return false;
  if (regex && !regex.test(request.text)) return false;
  return true;
}

export function createRuleBook(initial: ScriptedRule[]): RuleBook {
  let compiled = compile(initial);
  return {
    pick(request) {
      for (const entry of compiled) {
        if (entry.rule.times !== undefined && entry.used >= entry.rule.times) continue;
        if (!matches(entry.rule.match, entry.regex, request)) continue;
        entry.used += 1;
        return { rule: entry.rule, label: entry.label };
      }
      return undefined;
    },
    replace(rules) {
      compiled = compile(rules);
    },
  };
}
