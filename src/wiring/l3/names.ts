/** Resource types of the routing rows the pod side of L3 writes (its copies of routers and floating IPs). */
export const RT_ROUTER = 'router';
export const RT_FLOATINGIP = 'floatingip';
