/** The header naming the pods a cross-pod answer is missing. */
export const UNAVAILABLE_PODS_HEADER = 'x-tricircle-unavailable-pods';
