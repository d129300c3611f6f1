/** Loads every command group; each file registers itself with `registerGroup`. */
import './cim.js';
import './convert.js';
import './deploy.js';
import './docs.js';
import './disk.js';
import './export.js';
import './host.js';
import './image.js';
import './job.js';
import './net.js';
import './ova.js';
import './ovf.js';
import './pool.js';
import './remote.js';
import './user.js';
import './vm.js';
