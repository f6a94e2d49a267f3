/** Open streams per room, for e2e/share-getter.spec.ts. */
export const streams = new Map<string, number>()
