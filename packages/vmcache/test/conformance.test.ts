// Both back ends pass the same suite: posix on every system (OSv presets and Linux), kernel-api
// on the systems that expose the Kernel API.
import { bufferPoolSuite } from './suite.js';

bufferPoolSuite('osv-superblock', 'posix');
bufferPoolSuite('osv', 'posix');
bufferPoolSuite('linux', 'posix');
bufferPoolSuite('osv-superblock', 'kernel-api');
bufferPoolSuite('osv', 'kernel-api');
