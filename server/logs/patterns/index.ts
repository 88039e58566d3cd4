// Log pattern mining (issue "Logs", "Storage and patterns"): see README.md in this folder.
export { maskLogBody, tokenizeLog, logTokens, WILDCARD, MAX_BODY_CHARS, MAX_RAW_TOKENS, MAX_TOKENS, MAX_TOKEN_CHARS } from './mask.ts';
export { LOG_PATTERN_VERSION, PatternMiner, clusterKeyOf, SIMILARITY, EVIDENCE, LONG_AGREEMENT, LONG_EVIDENCE } from './miner.ts';
export type { AddResult, MinedPattern, MinerState } from './miner.ts';
export { groupingAccuracy, loghubLines, parseCsv } from './accuracy.ts';
export type { LabeledLine } from './accuracy.ts';
