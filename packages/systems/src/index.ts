// @unimem/systems: the composition root. It wires the component packages into the presets the
// benchmarks compare (OSv's five, Linux's) and nothing else: no mechanism lives here.
export type { Preset, PresetOptions } from './api.js';
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
