import type { Rule } from 'eslint';

/** ESLint rule: no module may reach itself through relative imports, type-only imports included. */
declare const noImportCycle: Rule.RuleModule;
export default noImportCycle;
