/** The projects' bridge networks at the top (made and used by the L3 jobs of src/wiring). */
export { BridgeNetworks, bridgeAddress, type TopBridge, type TopBridges, type ReservedPortRef, type BridgeNetworksDeps } from './store.js';
export {
  BRIDGE_OWNER,
  BRIDGE_POOL_NAME,
  BRIDGE_PREFIXLEN,
  BRIDGE_ROUTER_OWNER,
  BRIDGE_FIP_OWNER,
  EW_BRIDGE,
  NS_BRIDGE,
  bridgeNetName,
  nsBridgeNetName,
  fipBridgeKey,
  stableId,
  type BridgeKind,
} from './names.js';
