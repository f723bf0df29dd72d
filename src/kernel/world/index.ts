export * from './objects.js';
export * from './world.js';
export * from './clock.js';
export * from './errors.js';
export * as kconst from './constants.js';
export { KObjects } from './structs.js';
export { buildDefaultWorld } from './default.js';
export { describeWorld, type DescribeOptions } from './describe.js';
