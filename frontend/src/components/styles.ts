/** Filter controls sit on the page background: give them the paper colour. */
export const FILTER_FIELD_SX = { bgcolor: "background.paper" } as const;
