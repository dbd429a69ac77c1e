export { cinderApiModule } from './module.js';
export { VolumePlacement, VOLUME, type PlacedVolume } from './volumes/placement.js';
export { volumeIntentFinder } from './volumes/intentFinder.js';
export { UNAVAILABLE_PODS_HEADER } from './volumes/list.js';
export { MIN_VERSION, MAX_VERSION } from './versions.js';
