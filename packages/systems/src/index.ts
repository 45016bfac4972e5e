// @unimem/systems: the composition root. It wires the component packages into the presets the
// benchmarks compare (OSv's five, Linux's) and the frame-allocator systems (buddy, LLFree, OSv's
// page ranges, with their published figures), and nothing else: no mechanism lives here.
export type { Preset, PresetOptions } from './api.js';
export {
  buildFrameAllocator,
  FRAME_ALLOCATOR_NAMES,
  FRAME_ALLOCATORS,
  type FrameAllocatorBuildOptions,
  type FrameAllocatorName,
} from './frames.js';
export {
  buildLinuxPreset,
  LINUX_PRESETS,
  type LinuxPreset,
  type LinuxPresetName,
  type LinuxPresetOptions,
} from './linux.js';
export {
  buildOsvPreset,
  OSV_PRESETS,
  type OsvPreset,
  type OsvPresetName,
  type OsvPresetOptions,
} from './osv.js';
export { buildPreset, PRESET_NAMES, PRESETS, type PresetName } from './presets.js';
