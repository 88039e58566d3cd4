// Shapes of a grouping result: a tree of components per variant, like Sentry's
// `grouping/component.py` and `variants.py`, stored with every event so the UI can show why
// it was grouped.

export interface GroupingComponent {
  id: string;
  name?: string | null;
  /** Whether this node (and so its contributing children) feeds the hash. */
  contributes: boolean;
  hint?: string | null;
  /** Child components, or leaf strings that are hashed. */
  values: Array<GroupingComponent | string>;
}

export type VariantType = 'custom' | 'hybrid' | 'app' | 'system' | 'default' | 'fallback';

export interface GroupingVariant {
  type: VariantType;
  /** md5 hex, null when the variant does not contribute. */
  hash: string | null;
  contributes: boolean;
  component?: GroupingComponent;
  /** Resolved fingerprint values (custom and hybrid variants). */
  values?: string[];
  hint?: string | null;
}

export interface GroupingResult {
  version: string;
  /** The primary hash (md5 hex). */
  hash: string;
  /** Every contributing variant hash, primary first, no duplicates. */
  hashes: string[];
  /** Name of the variant that made `hash`. */
  variant: string;
  variants: Record<string, GroupingVariant>;
}

/** Variant name → root component of one grouping strategy. */
export type ComponentsByVariant = Record<string, GroupingComponent>;
