import { packageBuild } from '../../tsup.base.js';

export default packageBuild({
  index: 'src/index.ts',
  'frame-bench/index': 'src/frame-bench/index.ts',
});
