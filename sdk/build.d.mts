export declare const BROWSER_BUDGET: number;
export interface BuildSizes {
  browserApp: { min: number; gzip: number };
  iife: { min: number; gzip: number };
}
/** Builds the SDK into `outdir` (default sdk/dist); throws if the browser bundle exceeds its budget. */
export declare function build(options?: { outdir?: string; quiet?: boolean; types?: boolean }): Promise<BuildSizes>;
